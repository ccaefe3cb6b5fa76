from newsdistill.sentences import split_sentences

TEXT = (
    "The U.S. Coast Guard said Dr. Jane Ortiz reached the pier at 4 p.m. on Tuesday. "
    "Officials counted 1,300 people at the scene. J. R. Maddox, the harbor master, said: "
    '"We are ready. Nobody expected a storm this size." The mayor agreed.\n\n'
    "Prices rose 3.5 percent in the St. Louis area last year. Then the council met."
)


def test_splits_on_sentence_ends_only():
    texts = [s.text for s in split_sentences(TEXT, "a1")]
    assert texts == [
        "The U.S. Coast Guard said Dr. Jane Ortiz reached the pier at 4 p.m. on Tuesday.",
        "Officials counted 1,300 people at the scene.",
        'J. R. Maddox, the harbor master, said: "We are ready. Nobody expected a storm this size."',
        "The mayor agreed.",
        "Prices rose 3.5 percent in the St. Louis area last year.",
        "Then the council met.",
    ]


def test_ids_offsets_and_paragraphs_are_stable():
    sents = split_sentences(TEXT, "a7")
    assert [s.id for s in sents] == [f"a7.s{n}" for n in range(1, 7)]
    for s in sents:
        assert TEXT[s.start : s.end] == s.text
    assert [s.paragraph for s in sents] == [0, 0, 0, 0, 1, 1]
    assert [s.index for s in sents] == list(range(6))
    assert split_sentences(TEXT, "a7") == sents


def test_sentence_never_crosses_paragraph():
    sents = split_sentences("First paragraph has no end mark\n\nSecond one does.", "a1")
    assert [s.text for s in sents] == ["First paragraph has no end mark", "Second one does."]


def test_unclosed_quote_does_not_swallow_the_paragraph():
    text = 'He said "the plan. It failed. Later it was fixed. Then again. And again. Finally done.'
    sents = split_sentences(text, "a1")
    assert len(sents) >= 3
