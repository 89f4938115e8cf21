import pytest

from streams.settings import REPO_ROOT, Settings, config_table


def test_defaults_and_environment_overrides():
    s = Settings.from_env({})
    assert s.bootstrap_servers == "127.0.0.1:19092" and s.partitions == 6
    assert s.processing_guarantee == "exactly_once"
    assert Settings.from_env({"AKHBAR_PROCESSING_GUARANTEE": "at_least_once"}).processing_guarantee == "at_least_once"
    s = Settings.from_env({"AKHBAR_BROKER": "kafka://k1:9092;kafka://k2:9092", "AKHBAR_PARTITIONS": "12",
                           "AKHBAR_TOPIC_PREFIX": "x.", "AKHBAR_PROCESSING_GUARANTEE": "at_least_once"})
    assert s.bootstrap_servers == "k1:9092,k2:9092" and s.partitions == 12
    assert s.topic("articles.raw") == "x.articles.raw" and s.processing_guarantee == "at_least_once"


def test_the_commit_interval_follows_the_guarantee_unless_set():
    assert Settings.from_env({}).commit_interval_s == 0.1  # exactly_once: each hop waits for a commit
    assert Settings.from_env({"AKHBAR_PROCESSING_GUARANTEE": "at_least_once"}).commit_interval_s == 1.0
    assert Settings.from_env({"AKHBAR_COMMIT_INTERVAL_S": "2.5"}).commit_interval_s == 2.5


@pytest.mark.parametrize("env, message", [
    ({"AKHBAR_PARTITIONS": "six"}, "AKHBAR_PARTITIONS='six' is not a valid int"),
    ({"AKHBAR_PROCESSING_GUARANTEE": "maybe"}, "AKHBAR_PROCESSING_GUARANTEE must be one of"),
    ({"AKHBAR_PARTITIONS": "0"}, "AKHBAR_PARTITIONS must be >= 1"),
    ({"AKHBAR_EVENT_LOOP": "trio"}, "AKHBAR_EVENT_LOOP must be one of uvloop, asyncio, not 'trio'"),
])
def test_bad_values_fail_with_the_variable_named(env, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_readme_configuration_table_matches_the_code():
    assert config_table() in (REPO_ROOT / "README.md").read_text(encoding="utf-8"), \
        "README's configuration table is stale: paste the output of `akhbar config --markdown`"
