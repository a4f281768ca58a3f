"""The page's language for screen readers: ``<html lang>`` and Streamlit's and Plotly's own labels.

Streamlit always serves ``<html lang="en">``, and its widgets and Plotly's mode bar carry English
labels of their own ("Collapse sidebar", "Download as CSV", "Zoom in", "Choose an option"). On a
Danish page a screen reader then reads those in Danish pronunciation, and WCAG 2.1 AA (3.1.1 and
3.1.2, language of page and of parts) is not met. The script below, sent on a session's first run and when its language changes, sets the
page's language and, on a Danish page, gives every such label its Danish text
(:data:`metrics.i18n.CHROME_DA` and ``CHROME_PATTERNS_DA``).
A ``MutationObserver`` applies the same to what Streamlit draws later.
"""

from __future__ import annotations

import html
import json

from metrics import i18n


def lang_script(lang: i18n.Lang) -> str:
    """A ``<script>`` that sets ``<html lang>`` to ``lang`` and, in Danish, translates the frame's own labels.

    Only codes from :data:`metrics.i18n.LANGUAGES` and the fixed table reach the script
    (``json.dumps`` quotes them); no user text does.
    """
    code = lang.code if lang.code in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    table = i18n.CHROME_DA if code == "da" else {}
    return f"""<script>
(() => {{
  const doc = window.parent.document;
  const danish = {json.dumps(code == "da")};
  doc.documentElement.lang = {json.dumps(code)};
  const table = {json.dumps(table, ensure_ascii=False)};
  const patterns = {json.dumps(i18n.CHROME_PATTERNS_DA if code == "da" else [], ensure_ascii=False)}
    .map(([source, into]) => [new RegExp(source), into]);
  const attrs = ["aria-label", "title", "placeholder", "data-title"];
  const selector = attrs.map((a) => `[${{a}}],[data-ms-en-${{a}}]`).join(",");
  const texts = doc.__malsporTexts || (doc.__malsporTexts = new Map());  // translated text node -> its English
  const translate = (text) => {{
    if (text in table) return table[text];
    for (const [pattern, into] of patterns) if (pattern.test(text)) return text.replace(pattern, into);
    return null;
  }};
  const visit = (root) => {{
    if (!root || !root.querySelectorAll) return;
    for (const el of [root, ...root.querySelectorAll(selector)]) {{
      for (const a of attrs) {{
        const kept = el.getAttribute(`data-ms-en-${{a}}`), v = el.getAttribute(a);
        if (!danish) {{
          if (kept !== null) {{ el.setAttribute(a, kept); el.removeAttribute(`data-ms-en-${{a}}`); }}
        }} else if (v) {{
          const da = translate(v);
          if (da !== null && da !== v) {{ el.setAttribute(`data-ms-en-${{a}}`, v); el.setAttribute(a, da); }}
        }}
      }}
    }}
    if (!danish) return;
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {{
      const node = walker.currentNode, text = node.textContent.trim(), da = text && translate(text);
      if (da && da !== text) {{ texts.set(node, node.textContent); node.textContent = node.textContent.replace(text, da); }}
    }}
  }};
  if (doc.__malsporChrome) doc.__malsporChrome.disconnect();
  if (!danish) {{  // back to English: every label given Danish gets its own text again
    for (const [node, english] of texts) if (node.isConnected) node.textContent = english;
    texts.clear();
    visit(doc.body);
    return;
  }}
  const options = {{subtree: true, childList: true, attributes: true, attributeFilter: attrs, characterData: true}};
  const observer = new MutationObserver((changes) => {{
    observer.disconnect();
    for (const change of changes) {{
      const target = change.target.nodeType === 1 ? change.target : change.target.parentElement;
      if (change.type !== "childList") visit(target);
      for (const node of change.addedNodes) visit(node.nodeType === 1 ? node : node.parentElement);
    }}
    observer.observe(doc.body, options);
  }});
  visit(doc.body);
  observer.observe(doc.body, options);
  doc.__malsporChrome = observer;
}})();
</script>"""


#: The sidebar's line between the view settings and sign-in (as ``st.divider`` drew it, one element
#: fewer on every rerun): a bottom border on the presentation toggle, the last setting.
_SIDEBAR_CSS = ("<style>section[data-testid='stSidebar'] .st-key-w_present {border-bottom: 1px solid"
                " rgba(49, 51, 63, 0.2); padding-bottom: 1rem; margin-bottom: 0.5rem; width: 100% !important;}</style>")


def sidebar_head(title: str, subtitle: str) -> str:
    """The sidebar's title and subtitle (escaped) with its own CSS: one element per rerun."""
    return (f"{_SIDEBAR_CSS}<p style='margin:0 0 0.5rem'><strong>{html.escape(title)}</strong><br>"
            f"{html.escape(subtitle)}</p>")
