/* A visible cue on every box that scrolls sideways.
 *
 * Wide equations, code and tables scroll inside their own box rather than widen the page;
 * phones hide scrollbars, so a box that has more to the right (or left) fades out at that
 * edge. The classes are set here, the fades drawn by gdbook.css; without JavaScript the
 * boxes still scroll.
 */
(function () {
  "use strict";
  var SCROLLERS = ".katex-display, .bd-article pre, .table-wrapper, .pst-scrollable-table-container";

  function mark(box) {
    var overflows = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("gd-overflows", overflows);
    box.classList.toggle("gd-scrolled", overflows && box.scrollLeft > 1);
    box.classList.toggle(
      "gd-at-end", overflows && box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
  }

  // Inline math breaks after relations and operators; a piece with no such break that
  // is still wider than its line becomes a small box of its own that scrolls.
  function fitInlineMath() {
    document.querySelectorAll(".bd-article span.math > .katex").forEach(function (math) {
      math.classList.remove("gd-wide-inline");
      var block = math.closest("p, li, dd, td, th, figcaption, div") || math.parentElement;
      var limits = block.getBoundingClientRect();
      var wide = Array.prototype.some.call(math.getClientRects(), function (r) {
        return r.right > limits.right + 1 || r.left < limits.left - 1;
      });
      if (wide) {
        math.classList.add("gd-wide-inline");
        math.addEventListener("scroll", function () { mark(math); }, { passive: true });
      }
    });
  }

  function markAll() {
    fitInlineMath();
    document.querySelectorAll(SCROLLERS + ", .gd-wide-inline").forEach(mark);
  }

  function start() {
    markAll();
    // KaTeX's fonts arrive after the page is parsed and change every formula's width: a
    // box marked before they load may fit afterwards (or the other way round).
    window.addEventListener("load", markAll);
    if (document.fonts) {
      document.fonts.ready.then(markAll);
      document.fonts.addEventListener("loadingdone", markAll);
    }
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      box.addEventListener("scroll", function () { mark(box); }, { passive: true });
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending === null) {
        pending = window.requestAnimationFrame(function () { pending = null; markAll(); });
      }
    });
    // A folded block (solution, proof) that opens may hold a box that now overflows.
    document.addEventListener("toggle", markAll, true);
    document.addEventListener("click", function () { window.setTimeout(markAll, 50); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
