-- Usage plans per API key, as in the reference design's API Gateway usage plans: a request rate
-- with a burst, and an optional quota of requests per day or per month. A key without a row uses
-- the defaults from the configuration (rate_limit.*).
CREATE TABLE usage_plans (
  key_id              TEXT PRIMARY KEY REFERENCES api_keys(id),
  tenant              TEXT NOT NULL REFERENCES tenants(id),
  requests_per_second INTEGER NOT NULL,
  burst               INTEGER NOT NULL,
  quota               INTEGER,          -- requests per period; NULL means no quota
  quota_period        TEXT,             -- 'day' or 'month'; NULL when quota is NULL
  updated_at          INTEGER NOT NULL
);
