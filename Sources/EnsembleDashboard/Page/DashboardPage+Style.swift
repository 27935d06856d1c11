extension DashboardPage {
    /// The page's style sheet.
    static let css = #"""
        :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2330; --muted: #687083; --line: #dde1e8;
                --accent: #2f6fdb; --ok: #1f9d55; --bad: #d64545; --warn: #c98a06; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
        header { display: flex; gap: 1.5rem; align-items: baseline; padding: .8rem 1.5rem; background: var(--ink); color: #fff; flex-wrap: wrap; }
        header h1 { font-size: 1.2rem; margin: 0; }
        .summary { color: #c9d1e0; }
        .connection { margin-left: auto; font-size: .85rem; padding: .1rem .6rem; border-radius: 1rem; background: var(--warn); }
        .connection[data-state="live"] { background: var(--ok); }
        .connection[data-state="lost"] { background: var(--bad); }
        .banner { background: #fff4d6; border-bottom: 1px solid #f0d48a; padding: .5rem 1.5rem; }
        main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; padding: 1rem 1.5rem; }
        section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .6rem 1rem 1rem; min-width: 0; }
        section h2 { font-size: 1rem; margin: .3rem 0 .6rem; }
        .members, .actors, .names { grid-column: 1 / -1; }
        .hint { color: var(--muted); font-weight: normal; font-size: .85rem; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
        td.mono, code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .85rem; }
        .cap { display: inline-block; background: #e8effc; color: #21457f; border-radius: 4px; padding: 0 .4rem; margin: 0 .25rem .15rem 0; }
        .down { color: var(--bad); font-weight: 600; }
        .alive { color: var(--ok); }
        .leader-mark { color: var(--warn); font-weight: 700; }
        .node-title { margin: .8rem 0 .3rem; font-weight: 600; }
        .feed ol { list-style: none; margin: 0; padding: 0; max-height: 380px; overflow-y: auto; }
        .feed li { padding: .3rem .2rem; border-bottom: 1px solid var(--line); font-size: .85rem; }
        .feed li .time { color: var(--muted); font-family: ui-monospace, Menlo, monospace; margin-right: .4rem; }
        .feed li .kind { display: inline-block; min-width: 6.5rem; font-weight: 600; }
        .feed li[data-kind="failed"] .kind { color: var(--bad); }
        .feed li[data-kind="left"] .kind { color: var(--muted); }
        .feed li[data-kind="joined"] .kind { color: var(--ok); }
        .feed li[data-kind="capabilities"] .kind { color: var(--accent); }
        .feed li[data-kind="restarted"] .kind { color: var(--warn); }
        .feed li[data-kind="leader"] .kind { color: #8a3ffc; }
        .feed li.notice { color: var(--muted); font-style: italic; }
        svg { width: 100%; height: auto; background: #fbfcfe; border-radius: 6px; }
        svg .node circle.body { fill: #e8effc; stroke: var(--accent); stroke-width: 2; }
        svg .node.leader circle.body { stroke: var(--warn); stroke-width: 4; }
        svg .node.down circle.body { fill: #f6dada; stroke: var(--bad); }
        svg .node text { font-size: 11px; fill: var(--ink); }
        svg .node text.address { font-size: 10px; font-family: ui-monospace, Menlo, monospace; }
        svg .node text.count { font-size: 10px; fill: var(--muted); }
        svg .actor circle { fill: var(--accent); }
        svg .actor.restarted circle { fill: var(--warn); }
        svg .actor text { font-size: 11px; fill: var(--ink); }
        svg .actor line { stroke: #9fb3da; }
        svg line { stroke: #c5cde0; stroke-width: 1; }
        footer { padding: 0 1.5rem 1.5rem; color: var(--muted); font-size: .85rem; }
        @media (max-width: 900px) { main { grid-template-columns: 1fr; } }

        """#
}
