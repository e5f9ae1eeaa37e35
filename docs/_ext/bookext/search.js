/* The book's search: Sphinx's, with a ranking, words and excerpts made for readers.
 *
 * Appended by Sphinx to language_data.js, which only search.html loads, after
 * searchtools.js and before the search runs. GDBOOK_SEARCH (written by bookext/search.py)
 * holds, for every page, the stemmed words of its title and headings and how often each
 * word occurs in its text, and the book's table of synonyms.
 *
 * - Ranking: a page whose title holds every word of the query comes first, then a page
 *   with a heading that holds them all, then the rest, each group by BM25 on the text
 *   (Sphinx alone ranks every page that merely contains the words equally, then
 *   alphabetically).
 * - Words: American spellings find the British ones the book uses ("normalized" finds
 *   "normalised"), and a word the book never uses is replaced by a synonym it does
 *   ("stopping criteria" finds "stopping rule").
 * - Excerpts: only the article's text, without the theme's buttons, the citation box or
 *   the MathML and TeX copies of every formula.
 */
(function () {
  "use strict";
  const DATA = GDBOOK_SEARCH;
  const K1 = 1.2;
  const B = 0.75;
  const TITLE_BONUS = 40;
  const HEADING_BONUS = 20;
  let queryTerms = []; // one array of acceptable stems per word of the query

  const stemmer = new Stemmer();
  const stem = (word) => stemmer.stemWord(word.toLowerCase());
  const indexed = (s) =>
    Search._index.terms.hasOwnProperty(s) || Search._index.titleterms.hasOwnProperty(s);

  // -ize, -ization ... -> -ise, -isation ... (only when the book has the British form)
  const british = (word) => word.replace(/(.{3,})iz(e|ed|es|ing|ation|ations|er|ers)$/, "$1is$2");

  // The word's own stem first, then the others, the most widespread in the book first.
  function alternatives(word) {
    const others = [british(word), ...(DATA.synonyms[word] || [])].map(stem);
    const df = (s) => DATA.df[s] || 0;
    return [...new Set([stem(word), ...others.sort((a, b) => df(b) - df(a))])];
  }

  const parseQuery = Search._parseQuery;
  Search._parseQuery = (query) => {
    const parsed = parseQuery(query);
    const searchTerms = parsed[1];
    const highlightTerms = parsed[3];
    queryTerms = [];
    splitQuery(query.trim()).forEach((raw) => {
      const word = raw.toLowerCase();
      const own = stem(word);
      if (!searchTerms.has(own)) return; // a stop word, a number or an exclusion
      const stems = alternatives(word).filter(indexed);
      queryTerms.push(stems.length ? stems : [own]);
      // Sphinx requires every term: search with the form the book uses, its British
      // spelling if it has one ("normalized" would otherwise find "normal").
      const uk = stem(british(word));
      // Otherwise the most widespread of the word and its synonyms ("criterion", once in
      // the book, gives way to "rule").
      const widespread = stems.reduce(
        (best, s) => ((DATA.df[s] || 0) > (DATA.df[best] || 0) ? s : best), stems[0]);
      const required = uk !== own && indexed(uk) ? uk : widespread;
      if (required && required !== own) {
        searchTerms.delete(own);
        searchTerms.add(required);
        highlightTerms.add(required);
      }
    });
    return parsed;
  };

  // A word and its alternatives count as one term: their occurrences add up, and the
  // term is as common as its most common form (a rare synonym must not outweigh it).
  function bm25(doc) {
    let total = 0;
    for (const stems of queryTerms) {
      const tf = stems.reduce((sum, s) => sum + (doc.c[s] || 0), 0);
      if (!tf) continue;
      const df = Math.max(1, ...stems.map((s) => DATA.df[s] || 0));
      const idf = Math.log(1 + (DATA.n - df + 0.5) / (df + 0.5));
      const norm = tf + K1 * (1 - B + (B * doc.n) / DATA.avg);
      total += (idf * tf * (K1 + 1)) / norm;
    }
    return total;
  }

  const holdsAll = (words) => queryTerms.every((stems) => stems.some((s) => words.includes(s)));

  Scorer.score = (result) => {
    const [docname, , anchor, , score] = result;
    const doc = DATA.docs[docname];
    if (!doc || !queryTerms.length) return score;
    let value = bm25(doc);
    if (holdsAll(doc.t)) value += TITLE_BONUS;
    const section = anchor ? doc.h[anchor.slice(1)] : null;
    if (section && holdsAll(section)) value += HEADING_BONUS - 1; // just below its page
    else if (!anchor && Object.values(doc.h).some(holdsAll)) value += HEADING_BONUS;
    return value;
  };

  const DROP = [
    ".headerlink", "script", "style", ".katex-mathml", ".bd-header-article", ".cite-chapter",
    ".prev-next-area", ".bd-footer-article", ".toggle-button", ".copybtn", "#jb-print-docs-body",
  ].join(", ");

  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll(DROP).forEach((el) => el.remove());
    const article = page.querySelector("article.bd-article") || page.querySelector('[role="main"]');
    if (!article) return "";
    const part = (anchor && page.getElementById(anchor.slice(1))) || article;
    return part.textContent.replace(/\u200b/g, "").replace(/\s+/g, " ");
  };
})();
