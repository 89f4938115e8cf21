from streams.settings import Settings
from streams.topics import CATALOGUE, DLQ, RAW, STORIES, catalogue


def test_catalogue_names_are_unique_and_prefixed():
    entries = catalogue(Settings(topic_prefix="p."))
    names = [name for name, _, _ in entries]
    assert len(set(names)) == len(names) == len(CATALOGUE)
    assert all(n.startswith("p.articles.") for n in names)
    assert all(parts == (1 if spec.name == STORIES else 6) for _, spec, parts in entries)  # one story index


def test_dead_letters_of_the_largest_raw_message_fit_the_dlq():
    specs = {s.name: s for s in CATALOGUE}
    raw_max = specs[RAW].max_message_bytes
    base64_size = 4 * ((raw_max + 2) // 3)
    assert specs[DLQ].max_message_bytes >= base64_size + 16_384
    assert Settings().max_message_bytes < raw_max, "oversize articles must reach the agent to be dead-lettered"
