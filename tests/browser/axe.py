"""axe-core (pinned; scripts/test.sh installs it from the npm registry) run
in a real page: its critical and serious violations, for the every-page walk
and for journeys that check a state the walk does not reach."""

from __future__ import annotations

import json
import time
from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
AXE_SECONDS = [0.0]


def axe_violations(page: Page) -> list[str]:
    """Critical and serious violations, as readable lines. The source goes in
    through `evaluate` (DevTools evaluation), which the page's CSP does not
    govern, unlike an added <script> tag."""
    started = time.monotonic()
    if not page.evaluate("() => typeof window.axe === 'object'"):
        assert AXE.is_file(), f"{AXE} is missing: scripts/test.sh installs axe-core"
        page.evaluate(AXE.read_text())
    result = page.evaluate("""async () => {
        // A toast still fading in has half its contrast: check the page at rest.
        await Promise.all(document.getAnimations()
            .filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
            .map(a => a.finished.catch(() => null)));
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => v.impact === 'critical' || v.impact === 'serious')
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.slice(0, 3).map(n =>
                            n.target.join(' ') + ': ' + (n.failureSummary || '').split('\\n')[1])}));
    }""")
    AXE_SECONDS[0] += time.monotonic() - started
    return [f"{v['impact']} {v['id']} ({v['help']}): {json.dumps(v['targets'])}" for v in result]
