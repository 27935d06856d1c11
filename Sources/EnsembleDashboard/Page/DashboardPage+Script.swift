extension DashboardPage {
    /// The page's script: fills the tables and the picture from `/api/status`, and the feed
    /// from the `/api/events` stream; each event of the convention also refreshes the status.
    static let script = #"""
        "use strict";
        const feedLimit = 300;
        let status = null;
        let pending = null;

        function el(tag, className, ...children) {
          const node = document.createElement(tag);
          if (className) node.className = className;
          for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
          return node;
        }
        function svg(tag, attributes) {
          const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
          for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
          return node;
        }
        function banner(text) {
          const node = document.getElementById("banner");
          node.textContent = text;
          node.hidden = !text;
        }
        function connection(state, text) {
          const node = document.getElementById("connection");
          node.dataset.state = state;
          node.textContent = text;
        }
        function caps(list) {
          const cell = el("td");
          if (!list.length) cell.append(el("span", "hint", "(none)"));
          for (const cap of list) cell.append(el("span", "cap", cap));
          return cell;
        }
        function ago(ms) {
          if (ms === null || ms === undefined) return "—";
          return ms < 1000 ? ms + " ms ago" : (ms / 1000).toFixed(1) + " s ago";
        }

        async function loadStatus() {
          try {
            const response = await fetch("/api/status", { cache: "no-store" });
            const body = await response.json();
            if (!response.ok) throw new Error(body.error || response.statusText);
            status = body;
            render();
            banner("");
          } catch (error) {
            banner("The convention's status cannot be read: " + error.message);
          }
        }
        function refreshSoon(delay) {
          if (pending) return;
          pending = setTimeout(() => { pending = null; loadStatus(); }, delay);
        }

        function render() {
          const members = status.members || [];
          const actors = status.actors || [];
          document.getElementById("summary").textContent =
            "leader " + (status.leader || "none") + " · term " + status.term + " · " + members.length + " members · " +
            actors.length + " actors";
          renderMembers(members);
          renderActors(members, actors);
          renderNames(status.globalNames || {});
          renderPicture(members, actors);
        }

        function renderMembers(members) {
          const body = document.querySelector("#members tbody");
          body.replaceChildren();
          for (const member of members) {
            const row = el("tr");
            row.dataset.node = member.address;
            row.append(el("td", "mono", member.address), el("td", "mono", member.incarnation), caps(member.capabilities),
              el("td", "leader-mark", member.leader ? "★ leader" : ""),
              el("td", member.alive ? "alive" : "down", member.alive ? "alive" : "down"),
              el("td", "", ago(member.lastHeardMs)), el("td", "", member.voter ? "yes" : ""));
            body.append(row);
          }
        }

        function renderActors(members, actors) {
          const box = document.getElementById("actors");
          box.replaceChildren();
          const byNode = new Map(members.map((member) => [member.address, []]));
          for (const actor of actors) {
            if (!byNode.has(actor.node)) byNode.set(actor.node, []);
            byNode.get(actor.node).push(actor);
          }
          for (const [node, list] of byNode) {
            const restarts = list.reduce((sum, actor) => sum + actor.restarts, 0);
            box.append(el("div", "node-title", node + ": " + list.length + (list.length === 1 ? " actor" : " actors") +
              ", restarts " + restarts));
            if (!list.length) continue;
            const table = el("table");
            table.dataset.node = node;
            table.append(el("thead", "", el("tr", "", el("th", "", "actor"), el("th", "", "type"), el("th", "", "global name"),
              el("th", "", "restarts"))));
            const body = el("tbody");
            for (const actor of list) {
              body.append(el("tr", "", el("td", "mono", actor.address), el("td", "", actor.type),
                el("td", "", actor.globalName || ""), el("td", "", actor.restarts)));
            }
            table.append(body);
            box.append(table);
          }
        }

        function renderNames(names) {
          const body = document.querySelector("#names tbody");
          body.replaceChildren();
          for (const [name, address] of Object.entries(names)) {
            body.append(el("tr", "", el("td", "", name), el("td", "mono", address)));
          }
        }

        function renderPicture(members, actors) {
          const picture = document.getElementById("picture");
          picture.replaceChildren();
          const width = 640, height = 460, cx = width / 2, cy = height / 2;
          const ring = members.length > 1 ? Math.min(width, height) / 2 - 95 : 0;
          const places = new Map();
          members.forEach((member, index) => {
            const angle = -Math.PI / 2 + (2 * Math.PI * index) / Math.max(members.length, 1);
            places.set(member.address, { x: cx + ring * Math.cos(angle), y: cy + ring * Math.sin(angle), angle });
          });
          for (const a of places.values()) for (const b of places.values()) {
            if (a !== b) picture.append(svg("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y }));
          }
          for (const member of members) {
            const place = places.get(member.address);
            const here = actors.filter((actor) => actor.node === member.address);
            const group = svg("g", { class: "node" + (member.leader ? " leader" : "") + (member.alive ? "" : " down") });
            // Actors fan out on the side away from the centre, each labelled outwards.
            const shown = here.slice(0, 10);
            const outward = members.length > 1 ? place.angle : -Math.PI / 2;
            shown.forEach((actor, index) => {
              const angle = outward + (index - (shown.length - 1) / 2) * 0.5;
              const ax = place.x + 58 * Math.cos(angle), ay = place.y + 58 * Math.sin(angle);
              const dot = svg("g", { class: "actor" + (actor.restarts > 0 ? " restarted" : "") });
              const title = svg("title");
              title.textContent = actor.type + " " + actor.address + (actor.globalName ? " \"" + actor.globalName + "\"" : "") +
                ", restarts " + actor.restarts;
              dot.append(title, svg("line", { x1: place.x + 40 * Math.cos(angle), y1: place.y + 40 * Math.sin(angle), x2: ax, y2: ay }),
                svg("circle", { cx: ax, cy: ay, r: 6 }));
              const cos = Math.cos(angle);
              const label = svg("text", {
                x: ax + 10 * cos, y: ay + 10 * Math.sin(angle) + 3,
                "text-anchor": cos > 0.05 ? "start" : cos < -0.05 ? "end" : "middle",
              });
              label.textContent = actor.type + (actor.restarts > 0 ? " ↻" + actor.restarts : "");
              dot.append(label);
              group.append(dot);
            });
            group.append(svg("circle", { class: "body", cx: place.x, cy: place.y, r: 40 }));
            const name = svg("text", { class: "address", x: place.x, y: place.y - 2, "text-anchor": "middle" });
            name.textContent = member.address;
            group.append(name);
            const count = svg("text", { class: "count", x: place.x, y: place.y + 12, "text-anchor": "middle" });
            count.textContent = (member.leader ? "★ " : "") + here.length + (here.length === 1 ? " actor" : " actors") +
              (here.length > shown.length ? " (" + shown.length + " drawn)" : "");
            group.append(count);
            picture.append(group);
          }
        }

        function describe(event) {
          switch (event.kind) {
            case "joined": case "capabilities": return "[" + (event.capabilities || []).join(", ") + "]";
            case "failed": return event.reason || "";
            case "restarted": return (event.actorType || "") + " " + (event.actor || "") + " (restart " + event.restarts + ")";
            case "leader": return "leads, term " + event.term;
            default: return "";
          }
        }
        function addToFeed(item) {
          const feed = document.getElementById("feed");
          feed.prepend(item);
          while (feed.children.length > feedLimit) feed.lastChild.remove();
        }
        function showEvent(event) {
          const item = el("li", "", el("span", "time", event.time), el("span", "kind", event.kind), " ",
            el("span", "mono", event.node), " ", describe(event));
          item.dataset.kind = event.kind;
          item.dataset.node = event.node;
          addToFeed(item);
        }
        function showNotice(notice) {
          const item = el("li", "notice", notice.message);
          item.dataset.kind = "notice";
          addToFeed(item);
          if (notice.state === "following") connection("live", "live · leader " + notice.leader);
          else if (notice.state === "searching") connection("lost", "no leader answers");
        }

        function follow() {
          const stream = new EventSource("/api/events");
          stream.addEventListener("convention", (message) => {
            showEvent(JSON.parse(message.data));
            refreshSoon(150);
          });
          stream.addEventListener("notice", (message) => showNotice(JSON.parse(message.data)));
          stream.onopen = () => {
            const node = document.getElementById("connection");
            if (node.dataset.state !== "live") connection("connecting", "connected to the dashboard");
          };
          stream.onerror = () => connection("lost", "dashboard unreachable, reconnecting…");
        }

        loadStatus();
        follow();
        // Last-heard times age without events; the status is read again now and then for them.
        setInterval(loadStatus, 5000);

        """#
}
