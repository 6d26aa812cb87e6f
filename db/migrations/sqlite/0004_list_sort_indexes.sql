-- Story lists that filter on majority or on one blindspot side and sort by most_sources or recently_updated
-- walk one index in sort order instead of sorting every matching story. On 100,000 stories,
-- majority=center&sort=recently_updated took 18.7 ms (a temporary B-tree over 11,814 stories) and 0.07 ms
-- with its index; the test StoryListQueryPlanTests checks every filter and sort against EXPLAIN QUERY PLAN.
CREATE INDEX ix_story_summaries_majority_changed ON story_summaries (majority, changed_at, story_id);
CREATE INDEX ix_story_summaries_majority_sources ON story_summaries (majority, total_sources, story_id);
CREATE INDEX ix_story_summaries_blindspot_changed ON story_summaries (blindspot, changed_at, story_id) WHERE blindspot IS NOT NULL;
CREATE INDEX ix_story_summaries_blindspot_sources ON story_summaries (blindspot, total_sources, story_id) WHERE blindspot IS NOT NULL;
