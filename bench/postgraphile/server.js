// PostGraphile v4 over the Talentflow schema: the side-by-side baseline for bench/graphql.py.
//
//   DATABASE_URL=postgresql://... node server.js --port 5055 --workers 1
//
// Plugins: connection filters, aggregates (with a "truncated to year" group-by for date
// columns, added through pg-aggregates' own extension point), and the simplify inflector.
// The pool size per worker matches the Talentflow default (10).
"use strict";

const cluster = require("node:cluster");
const http = require("node:http");
const { postgraphile } = require("postgraphile");
const ConnectionFilterPlugin = require("postgraphile-plugin-connection-filter");
const PgAggregatesPlugin = require("@graphile/pg-aggregates").default;
const PgSimplifyInflectorPlugin = require("@graphile-contrib/pg-simplify-inflector");

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const port = Number(arg("port", "5055"));
const workers = Number(arg("workers", "1"));
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}

const DATE_OID = "1082";

// Group moves by year: pg-aggregates ships hour/day truncation for timestamps only.
function YearGroupByPlugin(builder) {
  builder.hook("build", (build) => {
    const sql = build.pgSql;
    build.pgAggregateGroupBySpecs.push({
      id: "truncated-to-year",
      isSuitableType: (pgType) => pgType.id === DATE_OID,
      sqlWrap: (frag) => sql.fragment`date_trunc('year', ${frag})::date`,
    });
    return build;
  });
}

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("exit", (w, code) => console.error(`worker ${w.process.pid} exited (${code})`));
} else {
  const { Pool } = require("pg");
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  const middleware = postgraphile(pool, "public", {
    appendPlugins: [
      PgSimplifyInflectorPlugin,
      ConnectionFilterPlugin,
      PgAggregatesPlugin,
      YearGroupByPlugin,
    ],
    graphileBuildOptions: { connectionFilterRelations: false },
    dynamicJson: true,
    setofFunctionsContainNodes: true,
    ignoreRBAC: false,
    graphiql: false,
    disableQueryLog: true,
    enableQueryBatching: false,
    retryOnInitFail: false,
    watchPg: false,
  });
  http.createServer(middleware).listen(port, "127.0.0.1", () => {
    console.log(`postgraphile pid ${process.pid} listening on 127.0.0.1:${port}`);
  });
}
