// Every GraphQL document the explorer sends, in one place: the reference for frontend teams.

const INSTITUTION_REF = `id slug name country { code name }`;

const MOVE_FIELDS = `
  id kind status confidence provisional crossBorder
  date { date precision text }
  researcher { id name nativeName }
  from { ${INSTITUTION_REF} }
  to { ${INSTITUTION_REF} }
  fromCountry { code name }
  toCountry { code name }`;

const EVIDENCE_FIELDS = `
  id quote extractor confidence
  document { id kind url title publisher publishedAt }`;

export const FLOWS = `
query Flows($level: FlowLevel!, $period: FlowPeriod!, $filter: MoveFilterInput) {
  flows(level: $level, period: $period, filter: $filter) {
    origin { code name }
    destination { code name }
    period count small
  }
  netFlows(level: $level, period: $period, filter: $filter) {
    entity { code name }
    period inflow outflow net
  }
}`;

export const SERIES = `
query Series($level: FlowLevel!, $filter: MoveFilterInput) {
  flows(level: $level, period: QUARTER, filter: $filter) {
    origin { code name }
    destination { code name }
    period count small
  }
}`;

export const PAIR_MOVES = `
query PairMoves($filter: MoveFilterInput, $first: Int, $after: String) {
  moves(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { ${MOVE_FIELDS} }
  }
}`;

export const RESEARCHER = `
query Researcher($id: ID!) {
  researcher(id: $id) {
    id name nativeName topics worksCount citedByCount hIndex orcid openalexId aliases
    affiliations {
      id role current years
      start { date precision text }
      end { date precision text }
      institution { ${INSTITUTION_REF} }
    }
    moves {
      ${MOVE_FIELDS}
      evidence { ${EVIDENCE_FIELDS} }
    }
    visits { ${MOVE_FIELDS} }
    candidateMatches {
      id score status reasons
      researcher { id name }
      candidate { id name nativeName }
    }
  }
}`;

export const INSTITUTION = `
query Institution($slug: String!) {
  institution(slug: $slug) {
    id slug name nativeName kind city website isSite
    country { code name }
    parent { ${INSTITUTION_REF} }
    children { ${INSTITUTION_REF} }
    flowSeries(period: QUARTER) { period inflow outflow net }
    movesIn(first: 100, includeDescendants: true) { totalCount nodes { ${MOVE_FIELDS} } }
    movesOut(first: 100, includeDescendants: true) { totalCount nodes { ${MOVE_FIELDS} } }
    jobPostings(openOnly: true, researchOnly: true, first: 20) {
      totalCount
      nodes { id title team location remote postedAt url country { code name } }
    }
  }
}`;

export const SEARCH = `
query Search($query: String!) {
  search(query: $query, first: 6) {
    __typename
    ... on Researcher { id name nativeName }
    ... on Institution { id slug name country { code } }
  }
}`;

export const RECENT_MOVES = `
query Recent($first: Int) {
  moves(first: $first, orderBy: NEWEST) { nodes { ${MOVE_FIELDS} } }
}`;

export const MOVE_RECORDED = `
subscription Live($filter: MoveFilterInput) {
  moveRecorded(filter: $filter) { ${MOVE_FIELDS} }
}`;

export const RATES = `
query Rates($filter: MoveFilterInput, $yearFrom: Int, $yearTo: Int) {
  netFlows(level: COUNTRY, period: YEAR, filter: $filter) {
    entity { code name }
    period inflow outflow net population inRate outRate netRate small
  }
  populations(level: COUNTRY, yearFrom: $yearFrom, yearTo: $yearTo) {
    entity { code name }
    year population small
  }
}`;

export const PIPELINE = `
query Pipeline($year: Int, $countries: [String!]) {
  pipeline(year: $year, countries: $countries) {
    year total
    undergraduate { country count share }
    doctorate { country count share }
    current { country count share }
    paths { undergraduate doctorate current count share }
  }
}`;
