/// The dashboard's one page and what it loads: everything the browser needs is served by the
/// dashboard itself (no font, script or style from elsewhere; the Content-Security-Policy the
/// server sends forbids it too). The script fills the page from `/api/status` and the
/// `/api/events` stream; it writes data as text only, never as markup, since capability
/// names, actor types and global names come from users.
enum DashboardPage {
    /// The page.
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Ensemble convention</title>
        <link rel="stylesheet" href="/style.css">
        <link rel="icon" href="data:,">
        </head>
        <body>
        <header>
          <h1>Ensemble convention</h1>
          <div id="summary" class="summary">loading…</div>
          <div id="connection" class="connection" data-state="connecting">connecting</div>
        </header>
        <div id="banner" class="banner" hidden></div>
        <main>
          <section class="picture">
            <h2>The convention</h2>
            <svg id="picture" viewBox="0 0 640 460" role="img" aria-label="nodes and the actors on them"></svg>
          </section>
          <section class="feed">
            <h2>Events <span class="hint">(live)</span></h2>
            <ol id="feed" reversed></ol>
          </section>
          <section class="members">
            <h2>Members</h2>
            <table id="members">
              <thead><tr><th>node</th><th>life</th><th>capabilities</th><th>leader</th><th>state</th><th>last heard</th><th>voter</th></tr></thead>
              <tbody></tbody>
            </table>
          </section>
          <section class="actors">
            <h2>Actors</h2>
            <div id="actors"></div>
          </section>
          <section class="names">
            <h2>Global names</h2>
            <table id="names">
              <thead><tr><th>name</th><th>actor</th></tr></thead>
              <tbody></tbody>
            </table>
          </section>
        </main>
        <footer>Read-only. Served by <code>ensemble dashboard</code>; metrics for Prometheus at <a href="/metrics">/metrics</a>, the status document at <a href="/api/status">/api/status</a>.</footer>
        <script src="/app.js"></script>
        </body>
        </html>

        """#
}
