"""Search snippets: the passage with the most search words, escaped, the words marked."""

from app.labels import snippets


def test_the_passage_with_every_word_is_chosen_and_the_words_marked() -> None:
    text = (
        "Nausea was reported. " + "Filler words here. " * 30 + "Severe nausea and vomiting "
        "occurred in 5% of patients."
    )
    found = snippets.make(text, ["nausea", "vomiting"])
    assert found is not None
    assert "<mark>nausea</mark> and <mark>vomiting</mark>" in found
    assert found.startswith("…")


def test_stems_find_other_forms_of_a_word() -> None:
    assert "<mark>Headaches</mark>" in (snippets.make("Headaches were common.", ["headache"]) or "")
    assert "<mark>headache</mark>" in (snippets.make("a headache", ["headaches"]) or "")


def test_the_text_is_html_escaped_and_words_inside_words_are_not_marked() -> None:
    found = snippets.make("<b>rash</b> & brash <script>", ["rash"])
    assert found == "&lt;b&gt;<mark>rash</mark>&lt;/b&gt; &amp; brash &lt;script&gt;"


def test_no_word_no_snippet() -> None:
    assert snippets.make("nothing to see", ["nausea"]) is None
    assert snippets.make("", ["nausea"]) is None
