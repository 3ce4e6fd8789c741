from datetime import UTC, datetime, timedelta

from monitor.core.clustering import Clusterer, ClusterSettings

T0 = datetime(2023, 6, 24, 6, 0, tzinfo=UTC)

ROSTOV_1 = ("Wagner fighters take control of military headquarters in Rostov-on-Don",
            "Prigozhin said his fighters controlled the Southern Military District headquarters in Rostov.")
ROSTOV_2 = ("Prigozhin's fighters seize Rostov military headquarters",
            "The Wagner chief said the headquarters of the Southern Military District in Rostov-on-Don was taken.")
ADDRESS = ("Putin addresses the nation, calls mutiny treason",
           "Vladimir Putin said the armed mutiny was a stab in the back and promised punishment.")


def test_same_event_reworded_joins_and_another_event_stays_apart():
    clusterer = Clusterer(ClusterSettings(threshold=0.3))
    first, _ = clusterer.add(*ROSTOV_1, T0)
    second, similarity = clusterer.add(*ROSTOV_2, T0 + timedelta(minutes=20))
    third, _ = clusterer.add(*ADDRESS, T0 + timedelta(hours=2))
    assert first == second and similarity >= 0.3
    assert third != first


def test_stories_leave_the_window():
    clusterer = Clusterer(ClusterSettings(threshold=0.3, window_s=3600))
    first, _ = clusterer.add(*ROSTOV_1, T0)
    later, _ = clusterer.add(*ROSTOV_2, T0 + timedelta(hours=3))
    assert later != first
    assert first not in clusterer.stories  # expired stories leave the index and memory


def test_replaying_stored_assignments_continues_identically():
    items = [(*ROSTOV_1, T0), (*ADDRESS, T0 + timedelta(hours=1)), (*ROSTOV_2, T0 + timedelta(hours=2))]
    whole = Clusterer()
    expected = [whole.add(*item)[0] for item in items]
    restarted = Clusterer()
    for item, story_id in zip(items[:2], expected[:2], strict=True):
        restarted.add(*item, story_id=story_id)
    assert restarted.add(*items[2])[0] == expected[2]
