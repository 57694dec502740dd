// The pipeline board: drag a card to another column; the move goes through the same
// transition API as everything else. A refused move snaps back and says why.
(function () {
  const board = document.querySelector(".board");
  if (!board) return;
  const message = document.getElementById("board-message");
  let dragged = null;
  let origin = null;

  function show(kind, html) {
    message.innerHTML = '<div class="message ' + kind + '" role="status">' + html + "</div>";
  }
  function escape(text) {
    const div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  board.addEventListener("dragstart", (e) => {
    dragged = e.target.closest(".card-item");
    if (!dragged) return;
    origin = dragged.parentElement;
    e.dataTransfer.effectAllowed = "move";
    dragged.classList.add("dragging");
  });
  board.addEventListener("dragend", () => dragged && dragged.classList.remove("dragging"));
  board.addEventListener("dragover", (e) => {
    if (e.target.closest(".column")) e.preventDefault();
  });
  board.addEventListener("drop", async (e) => {
    const column = e.target.closest(".column");
    if (!column || !dragged) return;
    e.preventDefault();
    const to = column.dataset.stage;
    const card = dragged;
    const from = card.dataset.stage;
    if (to === from) return;
    column.querySelector(".cards").prepend(card);
    const url = board.dataset.transitionUrl.replace("/0/", "/" + card.dataset.id + "/");
    let response, body;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": board.dataset.csrf,
                  "Accept": "application/json"},
        body: JSON.stringify({to: to, from: from}),
      });
      body = await response.json();
    } catch (err) {
      origin.prepend(card);
      show("error", escape(board.dataset.msgFailed));
      return;
    }
    if (response.status === 200) {
      card.dataset.stage = to;
      show("success", escape(board.dataset.msgMoved));
      return;
    }
    origin.prepend(card);  // snap back
    let html = escape(body.detail || JSON.stringify(body));
    if (body.unmet && body.unmet.length) {
      html += "<ul>" + body.unmet.map((u) => "<li><code>" + escape(u.code) + "</code> " +
        escape(u.text) + "</li>").join("") + "</ul>";
    }
    show(response.status === 202 ? "info" : "error", html);
  });
})();
