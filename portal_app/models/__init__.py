"""SQLModel tables. Importing this package registers every table on
`SQLModel.metadata`, which Alembic compares against the migrations."""

from portal_app.models.audit import AuditEvent
from portal_app.models.canned_replies import CannedReply
from portal_app.models.card_payments import PaymentAttempt, StripeEvent
from portal_app.models.catalogue import CustomerPrice, Product, Subscription, UsageRecord
from portal_app.models.csat import TicketRating
from portal_app.models.documents import Document, DocumentVersion, Folder
from portal_app.models.files import StoredFile
from portal_app.models.identity import (
    Invitation, LoginSession, Membership, OneTimeToken, Organization, RecoveryCode, Throttle, User,
)
from portal_app.models.invoices import Invoice, InvoiceLine, Payment
from portal_app.models.knowledge import (
    Article, ArticleCategory, ArticleFeedback, ArticleOrganization, ArticleSuggestionOpen, KnowledgeSearch,
    KnowledgeWord,
)
from portal_app.models.mail import OutgoingMail
from portal_app.models.notifications import Notification, NotificationPreference
from portal_app.models.numbering import Counter
from portal_app.models.orders import CartItem, Order, OrderEvent, OrderLine
from portal_app.models.quotes import Quote, QuoteLine, QuoteVersion
from portal_app.models.sla import BusinessHours, Holiday, SlaPolicy
from portal_app.models.tickets import (
    Ticket, TicketAnswer, TicketAttachment, TicketCategory, TicketField, TicketFollower, TicketMessage,
)

__all__ = ["Article", "ArticleCategory", "ArticleFeedback", "ArticleOrganization", "ArticleSuggestionOpen",
           "AuditEvent", "BusinessHours", "CannedReply", "CartItem", "Counter", "CustomerPrice", "Document",
           "DocumentVersion", "Folder", "Holiday",
           "Invitation", "Invoice", "InvoiceLine", "KnowledgeSearch", "KnowledgeWord", "LoginSession", "Membership",
           "Notification", "NotificationPreference", "OneTimeToken", "Order", "OrderEvent", "OrderLine",
           "Organization", "OutgoingMail", "Payment", "PaymentAttempt", "Product", "Quote", "QuoteLine",
           "QuoteVersion", "RecoveryCode", "SlaPolicy", "StoredFile", "StripeEvent", "Subscription", "Throttle",
           "Ticket", "TicketAnswer", "TicketAttachment", "TicketCategory", "TicketField", "TicketFollower",
           "TicketMessage", "TicketRating", "UsageRecord", "User"]
