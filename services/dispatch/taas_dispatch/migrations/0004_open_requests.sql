-- The ops board reads every open request on each refresh: an index of those alone keeps that cheap however many
-- closed requests the table holds. Its predicate is repository/board.py's list of open statuses.
CREATE INDEX requests_open ON requests (created_at)
    WHERE status IN ('matching', 'offered', 'assigned', 'in_progress', 'unfilled');
