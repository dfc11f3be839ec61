"""knowledge base

Articles, their categories, the organisations chosen to see them, feedback,
suggested articles opened while writing a request (deflections), searches
that found nothing, and the vocabulary typo tolerance picks from.
Full-text search: on SQLite an FTS5 table `knowledge_fts` (rowid = article
id), on PostgreSQL a table `knowledge_vectors` of each article's weighted
tsvector (title A, text B) with a GIN index; services/knowledge.py keeps
either in step. Neither is in the models
(alembic/env.py leaves them out of `alembic check`).

Revision ID: 6b2e9d4c1a37
Revises: c5a7d13e9b42
Create Date: 2026-11-26 23:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import portal_app.models.base


revision: str = '6b2e9d4c1a37'
down_revision: Union[str, None] = 'c5a7d13e9b42'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

def upgrade() -> None:
    op.create_table('article_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=90), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('slug')
    )
    op.create_index('ix_article_categories_position', 'article_categories', ['position', 'id'], unique=False)
    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), server_default='', nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('published_at', portal_app.models.base.UTCDateTime(), nullable=True),
    sa.Column('view_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['article_categories.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_index('ix_articles_category_id', 'articles', ['category_id'], unique=False)
    op.create_index('ix_articles_category_status', 'articles', ['category_id', 'status'], unique=False)
    op.create_index('ix_articles_updated', 'articles', ['updated_at', 'id'], unique=False)
    op.create_table('article_organizations',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'org_id')
    )
    op.create_index('ix_article_organizations_org', 'article_organizations', ['org_id', 'article_id'], unique=False)
    op.create_table('article_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'user_id', name='uq_article_feedback_article_user')
    )
    op.create_index('ix_article_feedback_article_id', 'article_feedback', ['article_id'], unique=False)
    op.create_table('knowledge_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_knowledge_searches_created_at', 'knowledge_searches', ['created_at'], unique=False)
    op.create_table('knowledge_words',
    sa.Column('word', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('first', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word')
    )
    op.create_index('ix_knowledge_words_first_length', 'knowledge_words', ['first', 'length'], unique=False)
    op.create_table('article_suggestion_opens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.Column('decided_at', portal_app.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_article_suggestion_opens_decided', 'article_suggestion_opens', ['decided_at'], unique=False)
    op.create_index('ix_article_suggestion_opens_user', 'article_suggestion_opens',
                    ['user_id', 'article_id', 'opened_at'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE knowledge_fts USING fts5(title, body, tokenize='porter unicode61')")
    else:
        op.execute("CREATE TABLE knowledge_vectors (article_id INTEGER PRIMARY KEY REFERENCES articles (id) "
                   "ON DELETE CASCADE, document tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_knowledge_vectors_document ON knowledge_vectors USING gin (document)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE IF EXISTS knowledge_fts")
    else:
        op.execute("DROP TABLE IF EXISTS knowledge_vectors")
    op.drop_index('ix_article_suggestion_opens_user', table_name='article_suggestion_opens')
    op.drop_index('ix_article_suggestion_opens_decided', table_name='article_suggestion_opens')
    op.drop_table('article_suggestion_opens')
    op.drop_index('ix_knowledge_words_first_length', table_name='knowledge_words')
    op.drop_table('knowledge_words')
    op.drop_index('ix_knowledge_searches_created_at', table_name='knowledge_searches')
    op.drop_table('knowledge_searches')
    op.drop_index('ix_article_feedback_article_id', table_name='article_feedback')
    op.drop_table('article_feedback')
    op.drop_index('ix_article_organizations_org', table_name='article_organizations')
    op.drop_table('article_organizations')
    op.drop_index('ix_articles_updated', table_name='articles')
    op.drop_index('ix_articles_category_status', table_name='articles')
    op.drop_index('ix_articles_category_id', table_name='articles')
    op.drop_table('articles')
    op.drop_index('ix_article_categories_position', table_name='article_categories')
    op.drop_table('article_categories')
