"""The report's stylesheet, inlined into the page (the page loads nothing)."""

STYLE = """
:root { color-scheme: light; --leak: #b42318; --warn: #b54708; --ok: #067647; --muted: #475467; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem; color: #101828; }
h1 { margin: 0 0 .5rem; }
h2 { border-bottom: 1px solid #d0d5dd; padding-bottom: .2rem; margin-top: 2rem; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f2f4f7; padding: .6rem; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.banner { background: #fef0c7; border: 1px solid var(--warn); padding: .6rem; font-weight: 600; }
.verdict { font-size: 1.25rem; font-weight: 700; margin: .5rem 0; }
.verdict.leak { color: var(--leak); }
.verdict.clean { color: var(--ok); }
.verdict.unreliable, .verdict.incomplete { color: var(--warn); }
.counts { color: var(--muted); margin: 0 0 .5rem; }
dl.stats, dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
dt { font-weight: 600; }
dd { margin: 0; }
dd.gate ul { margin: 0; padding-left: 1.2rem; color: var(--leak); }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d5dd; padding: .3rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #f2f4f7; }
td.probed .count { font-weight: 700; }
td.gap { background: #fffaeb; }
td.excluded { background: #f2f4f7; color: var(--muted); font-style: italic; }
td.none { color: #98a2b3; text-align: center; }
td.leak { color: var(--leak); font-weight: 700; }
.reason { display: block; font-size: 12px; font-weight: normal; color: var(--muted); }
td.gap .reason { color: var(--warn); }
.finding { border: 1px solid #d0d5dd; border-left: 6px solid var(--leak); padding: .5rem 1rem 1rem; margin: 1rem 0; }
.finding.suspected { border-left-color: var(--warn); }
.finding.allowed, .finding.baselined { border-left-color: #98a2b3; }
.badge { font-size: 12px; text-transform: uppercase; padding: .1rem .4rem; border-radius: 3px; color: #fff; background: var(--leak); }
.badge.suspected { background: var(--warn); }
.badge.allowed, .badge.baselined { background: #667085; }
.note { color: var(--muted); font-style: italic; }
.responses { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.response { margin: 0; min-width: 0; }
.response figcaption { font-weight: 600; margin-bottom: .25rem; }
.unknown { color: var(--muted); font-style: italic; margin: 0; }
footer { margin-top: 2rem; color: var(--muted); font-size: 12px; }
"""
