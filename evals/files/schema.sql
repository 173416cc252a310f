-- A schema written for plain PostgreSQL: DSQL refuses the serial type and the synchronous index.
CREATE TABLE customers (
  id serial PRIMARY KEY,
  tenant_id text NOT NULL,
  email text NOT NULL
);

CREATE TABLE orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL,
  customer_id integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_by_customer ON orders (tenant_id, customer_id);
