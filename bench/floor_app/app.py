"""The floor of bench_viewers: the dashboard's navigation with pages that render one line each.

Same Streamlit, same config and the same three url paths as the dashboard, so what the benchmark
measures beyond this is the dashboard's own work.
"""

import streamlit as st

st.set_page_config(page_title="floor", layout="wide")


def page(title: str):
    def render() -> None:
        st.title(title)
    render.__name__ = title
    return render


pages = [st.Page(page("overview"), title="overview", url_path="overview", default=True),
         st.Page(page("target"), title="target", url_path="target"),
         st.Page(page("explorer"), title="explorer", url_path="explorer")]
st.navigation(pages).run()
