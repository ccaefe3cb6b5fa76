// Progressive enhancement for newsdistill pages: every page reads the same without it.
// 1. Evidence pop-ups: hovering or clicking a sentence (or focusing its (i) button and
//    pressing Enter) shows the source sentences it rests on; Escape closes them.
// 2. On a static site, the front page's topic box filters the list in place.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Which element a <details class="evidence"> belongs to: the <li> it sits in (key facts,
  // "reports differ"), else the nearest sentence <span class="s"> before it in the page.
  function pairs() {
    var out = [];
    var last = null;
    var nodes = document.querySelectorAll("span.s, details.evidence");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      if (el.tagName === "SPAN") { last = el; continue; }
      var li = el.parentElement && el.parentElement.tagName === "LI" ? el.parentElement : null;
      var owner = li || last;
      if (owner) out.push([owner, el]);
    }
    return out;
  }

  var pinned = null;
  var all = [];

  function setOpen(d, open) {
    d.open = open;
    if (d._owner) d._owner.classList.toggle("active", open);
    if (open) place(d);
  }

  // Keep the pop-up inside the window on the right.
  function place(d) {
    var ev = d.querySelector(".ev");
    if (!ev) return;
    ev.style.left = "";
    var r = ev.getBoundingClientRect();
    var over = r.right - (window.innerWidth - 8);
    if (over > 0) ev.style.left = (parseFloat(getComputedStyle(ev).left) || 0) - over + "px";
  }

  function closeOthers(keep) {
    all.forEach(function (d) { if (d !== keep && d.open) setOpen(d, false); });
  }

  function toggle(d) {
    if (pinned === d) { pinned = null; setOpen(d, false); return; }
    pinned = d;
    closeOthers(d);
    setOpen(d, true);
  }

  pairs().forEach(function (p) {
    var owner = p[0], d = p[1], timer = null;
    d._owner = owner;
    all.push(d);
    owner.classList.add("has-ev");
    function enter() {
      clearTimeout(timer);
      if (pinned && pinned !== d) return;
      closeOthers(d);
      setOpen(d, true);
    }
    function leave() {
      timer = setTimeout(function () { if (pinned !== d) setOpen(d, false); }, 250);
    }
    [owner, d].forEach(function (el) {
      el.addEventListener("mouseenter", enter);
      el.addEventListener("mouseleave", leave);
    });
    // Enter/Space on the summary also arrive as a click.
    d.querySelector("summary").addEventListener("click", function (e) {
      e.preventDefault();
      toggle(d);
    });
    owner.addEventListener("click", function (e) {
      if (e.target.closest("a, summary, details")) return;
      toggle(d);
    });
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = all.filter(function (d) { return d.open; });
    open.forEach(function (d) { setOpen(d, false); });
    if (pinned) { pinned.querySelector("summary").focus(); pinned = null; }
  });
  document.addEventListener("click", function (e) {
    if (pinned && !e.target.closest(".has-ev, details.evidence")) { setOpen(pinned, false); pinned = null; }
  });

  // Static site: no server to search, so filter the list as the reader types.
  var form = document.querySelector("form[data-filter]");
  if (form) {
    form.hidden = false;
    var input = form.querySelector("input");
    var items = document.querySelectorAll("li.teaser");
    var none = document.querySelector("p.none");
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      for (var i = 0; i < items.length; i++) {
        var text = items[i].getAttribute("data-text");
        var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
        items[i].hidden = !hit;
        if (hit) shown++;
      }
      if (none) none.hidden = shown > 0;
    });
  }
})();
