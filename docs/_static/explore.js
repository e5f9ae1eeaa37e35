/* Explorable figures (gdbook.explore): sliders that move the lines of a static SVG.
 *
 * Every run was computed when the book was built; the page holds its lines as integers
 * (tenths of an SVG unit, the first point and then differences) and its status line.
 * Here a slider picks the run and its lines replace those of the drawing. Without
 * JavaScript, and in print, the figure's static image shows instead.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function decode(numbers) {
    var points = [], x = 0, y = 0;
    for (var i = 0; i + 1 < numbers.length; i += 2) {
      x += numbers[i]; y += numbers[i + 1];
      points.push([x / 10, y / 10]);
    }
    return points;
  }

  // A matplotlib line is a <g> holding a <path> (the line, if drawn) and a <g> of <use>
  // elements (its markers, if any).
  function redraw(group, points) {
    var path = group.querySelector(":scope > path");
    if (path) {
      path.setAttribute("d", points.length ? points.map(function (p, i) {
        return (i ? "L" : "M") + p[0] + " " + p[1];
      }).join("") : "M0 0");
      path.style.visibility = points.length > 1 ? "" : "hidden";
    }
    var marks = group.querySelector(":scope > g");
    if (!marks) { return; }
    var model = marks.querySelector("use");
    if (!model) { return; }
    model = model.cloneNode(false);
    while (marks.firstChild) { marks.removeChild(marks.firstChild); }
    points.forEach(function (p) {
      var mark = model.cloneNode(false);
      mark.setAttribute("x", p[0]);
      mark.setAttribute("y", p[1]);
      marks.appendChild(mark);
    });
  }

  function start(box) {
    var data = JSON.parse(box.querySelector("script[type='application/json']").textContent);
    var inputs = data.sliders.map(function (s) {
      return document.getElementById("gd" + data.key + "-" + s.name);
    });
    var status = box.querySelector(".gd-explore-status");
    var groups = [];
    for (var k = 0; ; k++) {
      var group = document.getElementById("gd" + data.key + "-l" + k);
      if (!group) { break; }
      groups.push(group);
    }
    box.querySelectorAll("[id^='gd" + data.key + "-hide']").forEach(function (text) {
      text.style.display = "none";
    });

    function update() {
      var index = 0;
      inputs.forEach(function (input, j) {
        var s = data.sliders[j], at = Number(input.value);
        index = index * s.values.length + at;
        input.setAttribute("aria-valuetext", s.values[at]);
        input.nextElementSibling.textContent = s.values[at];
      });
      var run = data.runs[index];
      run.lines.forEach(function (line, k) { redraw(groups[k], decode(data.lines[line])); });
      status.textContent = run.status;
      box.setAttribute("data-run", index);
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    box.querySelector(".gd-explore-controls").hidden = false;
    box.hidden = false;
    var figure = box.closest("figure");
    if (figure) { figure.classList.add("gd-explorable"); }
    update();
  }

  function startAll() {
    document.querySelectorAll(".gd-explore").forEach(function (box) {
      try {
        start(box);
      } catch (error) {  // the static image stays
        box.hidden = true;
        throw error;
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
