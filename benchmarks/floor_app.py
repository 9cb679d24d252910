"""The bare reference page of ``bench_app.py``: what Streamlit itself costs in this browser.

A sidebar radio, a title, four metrics and a button that changes them: the same kinds of element
the app's first view starts with, and none of its work. ``bench_app.py`` times its first load and a
button click with the same procedure as the app's, in the same process, so the app's figures can be
read against what any Streamlit page costs on the machine (the floor a page cannot go below).
Run by the benchmark (``streamlit run benchmarks/floor_app.py``); it has no use on its own.
"""

import streamlit as st

st.session_state.setdefault("clicks", 0)


def _click() -> None:
    st.session_state["clicks"] += 1


st.sidebar.radio("language", ["中文", "English"], horizontal=True)
st.title("floor")
for i, column in enumerate(st.columns(4)):
    column.metric(f"figure {i}", f"{st.session_state['clicks'] * 1000 + i:,}")
st.button("next", on_click=_click)
