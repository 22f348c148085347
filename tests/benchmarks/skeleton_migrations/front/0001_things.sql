-- What the skeleton's front stores per POST: the id it answers with, the caller and the body as it came.
CREATE TABLE things (
    id uuid PRIMARY KEY,
    owner text NOT NULL,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
