"""The packaged seed list loads, says the right things, and bad files fail loudly."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from service.domain.names import normalize_institution
from service.domain.seed import (
    DEFAULT_SEED_PATH,
    InstitutionKind,
    SeedError,
    SeedInstitution,
    load_seed,
    normalise_name,
    ror_checksum_ok,
)

# --- the packaged file -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> dict[str, SeedInstitution]:
    return {entry.slug: entry for entry in load_seed()}


def test_default_path_is_the_packaged_file() -> None:
    assert DEFAULT_SEED_PATH.name == "institutions.toml"
    assert DEFAULT_SEED_PATH.parent.name == "data"
    assert load_seed(DEFAULT_SEED_PATH) == load_seed()


def test_packaged_file_is_big_enough(seed: dict[str, SeedInstitution]) -> None:
    assert len(seed) >= 150
    kinds = {entry.kind for entry in seed.values()}
    assert {InstitutionKind.COMPANY, InstitutionKind.LAB, InstitutionKind.UNIVERSITY} <= kinds
    assert sum(entry.country == "CN" for entry in seed.values()) >= 40


@pytest.mark.parametrize(
    ("slug", "country", "parent"),
    [
        ("openai", "US", None),
        ("anthropic", "US", None),
        ("alphabet", "US", None),
        ("google", "US", "alphabet"),
        ("google-deepmind", "GB", "alphabet"),
        ("meta", "US", None),
        ("fair", "US", "meta"),
        ("meta-superintelligence-labs", "US", "meta"),
        ("microsoft-research", "US", "microsoft"),
        ("aws-ai-labs", "US", "aws"),
        ("aws", "US", "amazon"),
        ("mosaicml", "US", "databricks"),
        ("cohere", "CA", None),
        ("stability-ai", "GB", None),
        ("mistral-ai", "FR", None),
        ("tencent-ai-lab", "CN", "tencent"),
        ("tencent-hunyuan", "CN", "tencent"),
        ("qwen", "CN", "alibaba-cloud"),
        ("alibaba-cloud", "CN", "alibaba"),
        ("damo-academy", "CN", "alibaba"),
        ("bytedance-seed", "CN", "bytedance"),
        ("baidu-research", "CN", "baidu"),
        ("huawei-noahs-ark-lab", "CN", "huawei"),
        ("casia", "CN", "cas"),
        ("ict-cas", "CN", "cas"),
        ("sait", "KR", "samsung-electronics"),
        ("riken-aip", "JP", "riken"),
        ("mpi-is", "DE", "max-planck-society"),
        ("mbzuai", "AE", None),
        ("tii", "AE", None),
        ("mila", "CA", None),
        ("ai21-labs", "IL", None),
        ("hkust", "HK", None),
        ("tsinghua-university", "CN", None),
        ("stanford-university", "US", None),
        ("eth-zurich", "CH", None),
    ],
)
def test_big_names_have_right_country_and_parent(
    seed: dict[str, SeedInstitution], slug: str, country: str, parent: str | None
) -> None:
    entry = seed[slug]
    assert entry.country == country
    assert entry.parent == parent


def test_msr_asia_is_a_chinese_site_of_microsoft(seed: dict[str, SeedInstitution]) -> None:
    msra = seed["msr-asia"]
    assert msra.site is True
    assert msra.country == "CN"
    assert msra.city == "Beijing"
    assert msra.parent in {"microsoft-research", "microsoft"}
    assert "MSRA" in msra.aliases
    shanghai = seed["msr-asia-shanghai"]
    assert (shanghai.site, shanghai.country, shanghai.city) == (True, "CN", "Shanghai")


def test_every_site_sits_under_a_parent_somewhere_else(seed: dict[str, SeedInstitution]) -> None:
    sites = [entry for entry in seed.values() if entry.site]
    assert len(sites) >= 4
    for entry in sites:
        assert entry.parent is not None
        parent = seed[entry.parent]
        assert (entry.country, entry.city) != (parent.country, parent.city), entry.slug


@pytest.mark.parametrize(
    ("slug", "native"),
    [
        ("tencent", "腾讯"),
        ("alibaba", "阿里巴巴"),
        ("bytedance", "字节跳动"),
        ("baidu", "百度"),
        ("huawei", "华为"),
        ("deepseek", "深度求索"),
        ("moonshot-ai", "月之暗面"),
        ("zhipu-ai", "智谱"),
        ("tsinghua-university", "清华大学"),
        ("peking-university", "北京大学"),
        ("shanghai-ai-lab", "上海人工智能实验室"),
        ("baai", "北京智源人工智能研究院"),
        ("msr-asia", "微软亚洲研究院"),
        ("kaist", "한국과학기술원"),
        ("university-of-tokyo", "東京大学"),
    ],
)
def test_native_names_present(seed: dict[str, SeedInstitution], slug: str, native: str) -> None:
    assert native in seed[slug].native_names


@pytest.mark.parametrize(
    ("alias", "slug"),
    [
        ("FAIR", "fair"),
        ("Facebook AI Research", "fair"),
        ("Meta AI", "fair"),
        ("Google Brain", "google-brain"),
        ("DeepMind", "google-deepmind"),
        ("MSRA", "msr-asia"),
        ("AI2", "allen-institute-for-ai"),
        ("DAMO Academy", "damo-academy"),
        ("CASIA", "casia"),
        ("Télécom ParisTech", "telecom-paris"),
        ("Uber ATG", "uber-atg"),
    ],
)
def test_press_names_resolve_to_one_entry(
    seed: dict[str, SeedInstitution], alias: str, slug: str
) -> None:
    owners = [
        entry.slug
        for entry in seed.values()
        if normalise_name(alias) in {normalise_name(n) for n in entry.all_names()}
    ]
    assert owners == [slug]


def test_parents_come_before_children() -> None:
    entries = load_seed()
    position = {entry.slug: index for index, entry in enumerate(entries)}
    for entry in entries:
        if entry.parent is not None:
            assert position[entry.parent] < position[entry.slug], entry.slug


def test_recorded_ids_pass_their_checks(seed: dict[str, SeedInstitution]) -> None:
    with_ids = [entry for entry in seed.values() if entry.ror or entry.openalex]
    assert with_ids, "at least the ids verified from recorded payloads are present"
    assert seed["university-of-michigan"].ror == "00jmfr291"
    assert seed["university-of-michigan"].openalex == "I27837315"
    assert seed["google-deepmind"].ror == "00971b260"
    assert seed["msr-asia"].ror == "0300m5276"
    assert seed["tsinghua-university"].ror == "03cve4549"
    for entry in with_ids:
        if entry.ror:
            assert ror_checksum_ok(entry.ror)


def test_every_recorded_id_names_its_source() -> None:
    lines = DEFAULT_SEED_PATH.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if line.startswith(("ror =", "openalex =")):
            above = lines[number - 1]
            while above.startswith(("ror =", "openalex =")) and number > 0:
                number -= 1
                above = lines[number - 1]
            assert above.startswith("#"), f"line {number + 1}: id without a source comment"


# --- model-level rules ---------------------------------------------------------------------


def test_aliases_are_deduplicated_and_tidied() -> None:
    entry = SeedInstitution.model_validate(
        {
            "slug": "x-lab",
            "name": "X Lab",
            "kind": "lab",
            "country": "US",
            "aliases": ["XL", " xl ", "X  Lab", "x lab", "X-Lab", "XL"],
            "native_names": ["艾克斯", "艾克斯"],
        }
    )
    assert entry.aliases == ["XL", "X-Lab"]
    assert entry.native_names == ["艾克斯"]
    assert entry.site is False


@pytest.mark.parametrize(
    ("ror", "ok"),
    [("00jmfr291", True), ("00jmfr292", False), ("0161xgx34", True), ("00za53h95", True)],
)
def test_ror_checksum(ror: str, ok: bool) -> None:
    assert ror_checksum_ok(ror) is ok


# --- bad files -----------------------------------------------------------------------------

GOOD = """
[[institution]]
slug = "acme"
name = "Acme"
kind = "company"
country = "US"
ror = "00jmfr291"

[[institution]]
slug = "acme-research"
name = "Acme Research"
kind = "lab"
country = "US"
parent = "acme"
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "institutions.toml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def entry(slug: str, **fields: object) -> str:
    values = {"name": slug.title(), "kind": "company", "country": "US", **fields}
    lines = ["[[institution]]", f'slug = "{slug}"']
    for key, value in values.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {str(value).lower()}")
        elif isinstance(value, list):
            lines.append(f"{key} = [{', '.join(repr(v) for v in value)}]".replace("'", '"'))
        else:
            lines.append(f'{key} = "{value}"')
    return "\n".join(lines) + "\n\n"


def load_error(tmp_path: Path, body: str) -> SeedError:
    with pytest.raises(SeedError) as caught:
        load_seed(write(tmp_path, body))
    return caught.value


def test_small_good_file_loads(tmp_path: Path) -> None:
    entries = load_seed(write(tmp_path, GOOD))
    assert [e.slug for e in entries] == ["acme", "acme-research"]


def test_children_listed_first_are_reordered(tmp_path: Path) -> None:
    body = entry("c", parent="b") + entry("b", parent="a") + entry("a") + entry("d")
    assert [e.slug for e in load_seed(write(tmp_path, body))] == ["a", "b", "c", "d"]


def test_malformed_toml_reports_line_and_column(tmp_path: Path) -> None:
    body = GOOD + '\n[[institution]]\nslug = "broken\n'
    broken_line = textwrap.dedent(body).splitlines().index('slug = "broken') + 1
    error = load_error(tmp_path, body)
    assert error.line == broken_line
    assert error.column is not None
    assert error.entry_index is None
    assert "malformed TOML" in str(error)
    assert f"line {broken_line}" in str(error)
    assert str(error).startswith("institutions.toml: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read"):
        load_seed(tmp_path / "nope.toml")


def test_bad_country(tmp_path: Path) -> None:
    error = load_error(tmp_path, entry("acme") + entry("openai", country="XX"))
    assert (error.entry_index, error.slug, error.field) == (2, "openai", "country")
    assert str(error) == (
        "institutions.toml: entry 2 (slug 'openai'): country 'XX' is not an ISO 3166-1 alpha-2 code"
    )
    assert error.path.name == "institutions.toml"


@pytest.mark.parametrize("country", ["us", "USA", "840", "ZZ", ""])
def test_country_must_be_upper_case_alpha_2(tmp_path: Path, country: str) -> None:
    error = load_error(tmp_path, entry("acme", country=country))
    assert error.field == "country"


def test_unknown_parent(tmp_path: Path) -> None:
    error = load_error(tmp_path, entry("acme") + entry("acme-lab", parent="acme-corp"))
    assert (error.entry_index, error.slug, error.field) == (2, "acme-lab", "parent")
    assert "'acme-corp'" in str(error)


def test_parent_cycle(tmp_path: Path) -> None:
    body = entry("a", parent="c") + entry("b", parent="a") + entry("c", parent="b")
    error = load_error(tmp_path, body)
    assert (error.entry_index, error.slug, error.field) == (1, "a", "parent")
    assert "cycle" in str(error)
    assert "a -> c -> b -> a" in str(error)


def test_self_parent_is_a_cycle(tmp_path: Path) -> None:
    error = load_error(tmp_path, entry("a", parent="a"))
    assert (error.slug, error.field) == ("a", "parent")


def test_duplicate_slug(tmp_path: Path) -> None:
    body = entry("acme") + entry("other") + entry("acme", name="Acme Two")
    error = load_error(tmp_path, body)
    assert (error.entry_index, error.slug, error.field) == (3, "acme", "slug")
    assert "duplicate" in str(error)


def test_duplicate_ror(tmp_path: Path) -> None:
    body = entry("acme", ror="00jmfr291") + entry("other", ror="00jmfr291")
    error = load_error(tmp_path, body)
    assert (error.entry_index, error.slug, error.field) == (2, "other", "ror")
    assert "already used by 'acme'" in str(error)


def test_duplicate_openalex(tmp_path: Path) -> None:
    body = entry("acme", openalex="I27837315") + entry("other", openalex="I27837315")
    error = load_error(tmp_path, body)
    assert (error.entry_index, error.slug, error.field) == (2, "other", "openalex")


def test_alias_shared_by_two_entries(tmp_path: Path) -> None:
    body = entry("acme", aliases=["ACME Corp"]) + entry("other", aliases=["acme  corp"])
    error = load_error(tmp_path, body)
    assert (error.entry_index, error.slug, error.field) == (2, "other", "aliases")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ror": "https://ror.org/00jmfr291"}, "ror"),
        ({"ror": "00jmfr292"}, "ror"),
        ({"ror": "12345678"}, "ror"),
        ({"openalex": "https://openalex.org/I27837315"}, "openalex"),
        ({"openalex": "A5023888391"}, "openalex"),
        ({"kind": "startup"}, "kind"),
        ({"website": "openai.com"}, "website"),
        ({"site": True}, "parent"),
        ({"homepage": "https://acme.test"}, "homepage"),
    ],
)
def test_bad_fields(tmp_path: Path, fields: dict[str, object], field: str) -> None:
    error = load_error(tmp_path, entry("acme", **fields))
    assert (error.entry_index, error.slug, error.field) == (1, "acme", field)
    assert str(error).startswith("institutions.toml: entry 1 (slug 'acme'): ")


@pytest.mark.parametrize("slug", ["OpenAI", "open_ai", "-openai", "open--ai", "open ai", ""])
def test_bad_slug(tmp_path: Path, slug: str) -> None:
    error = load_error(tmp_path, entry(slug))
    assert (error.entry_index, error.field) == (1, "slug")


def test_missing_required_field(tmp_path: Path) -> None:
    error = load_error(tmp_path, '[[institution]]\nslug = "acme"\nname = "Acme"\nkind = "lab"\n')
    assert (error.entry_index, error.slug, error.field) == (1, "acme", "country")
    assert "country is required" in str(error)


def test_site_without_city(tmp_path: Path) -> None:
    body = entry("acme") + entry("acme-paris", parent="acme", site=True, country="FR")
    error = load_error(tmp_path, body)
    assert (error.entry_index, error.field) == (2, "city")


def test_wrong_types(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        '[[institution]]\nslug = "acme"\nname = "Acme"\n'
        'kind = "lab"\ncountry = "US"\nsite = "yes"\n',
    )
    assert error.field == "site"


def test_unknown_top_level_table(tmp_path: Path) -> None:
    error = load_error(tmp_path, '[[institutions]]\nslug = "acme"\n')
    assert error.field == "institutions"
    assert error.entry_index is None


def test_no_two_entries_share_a_resolver_key() -> None:
    """Under the resolver's own normalisation, every seed name points to exactly one entry."""
    owners: dict[str, str] = {}
    for item in load_seed():
        for name in item.all_names():
            key = normalize_institution(name)
            assert owners.setdefault(key, item.slug) == item.slug, (name, owners[key])


def test_seed_error_is_a_config_error(tmp_path: Path) -> None:
    from service.errors import ConfigError, TalentflowError

    error = load_error(tmp_path, entry("acme", country="XX"))
    assert isinstance(error, ConfigError)
    assert isinstance(error, TalentflowError)
    assert error.message == str(error)
    assert error.details["field"] == "country"
    assert "acme" in repr(error)


def test_curated_relations_name_seed_institutions_and_date_the_google_deepmind_merger() -> None:
    from service.domain.seed import load_relations

    relations = load_relations()
    merger = {(r.predecessor, r.successor): r for r in relations}[
        ("google-brain", "google-deepmind")
    ]
    assert (merger.kind, merger.date) == ("merger", "2023-04")
    by_slug = {e.slug: e for e in load_seed()}
    assert by_slug["google-brain"].country == "US" and by_slug["google-deepmind"].country == "GB"


@pytest.mark.parametrize(
    ("predecessor", "successor", "kind", "date"),
    [
        ("geometric-intelligence", "uber-ai-labs", "acquisition", "2016-12"),
        ("uber-atg", "aurora-innovation", "acquisition", "2021-01"),
        ("scyfer", "qualcomm-ai-research", "acquisition", "2017-08"),
        ("huawei", "honor", "spin_out", "2020-11"),
        ("codeium", "windsurf", "rename", "2025-04"),
        ("vocaliq", "apple", "acquisition", "2015-10"),
        ("semantic-machines", "microsoft", "acquisition", "2018-05"),
        ("habana-labs", "intel", "acquisition", "2019-12"),
        ("instadeep", "biontech", "acquisition", "2023"),
        ("silo-ai", "amd", "acquisition", "2024-08"),
        ("run-ai", "nvidia", "acquisition", "2024-12"),
        ("upmc", "sorbonne-university", "merger", "2018-01"),
        ("paris-sorbonne-university", "sorbonne-university", "merger", "2018-01"),
        ("google", "waymo", "spin_out", "2016-12"),
        ("mellanox-technologies", "nvidia", "acquisition", "2020-04"),
        ("xilinx", "amd", "acquisition", "2022-02"),
        ("nuance-communications", "microsoft", "acquisition", "2022-03"),
        ("mobileye", "intel", "acquisition", "2017-08"),
        ("blue-vision-labs", "lyft", "acquisition", "2018-10"),
        ("lyft-level-5", "woven-planet-holdings", "acquisition", "2021-07"),
        ("woven-planet-holdings", "woven-by-toyota", "rename", "2023-04"),
        ("alcatel-lucent-bell-labs", "nokia-bell-labs", "acquisition", "2016-01"),
        ("twitter", "x-corp", "rename", "2023-04"),
        ("yahoo", "oath-inc", "acquisition", "2017-06"),
        ("verizon-media", "yahoo", "rename", "2021-09"),
        ("palo-alto-research-center", "sri-international", "acquisition", "2023-04"),
        ("weights-biases", "coreweave", "acquisition", "2025-05"),
        ("exscientia", "recursion-pharmaceuticals", "acquisition", "2024-11"),
        ("windsurf", "cognition-ai", "acquisition", "2025-07"),
        ("prescient-design", "genentech", "acquisition", "2021-08"),
        ("cruise", "general-motors", "merger", "2025-02"),
        ("nicta", "csiro-data61", "merger", "2015-08"),
        ("universite-joseph-fourier", "universite-grenoble-alpes", "merger", "2016-01"),
        ("universite-nice-sophia-antipolis", "universite-cote-d-azur", "merger", "2020-01"),
        ("universite-lille-1", "universite-de-lille", "merger", "2018-01"),
        ("universite-paris-sud", "universite-paris-saclay", "merger", "2020-01"),
    ],
)
def test_acquisitions_renames_and_sales_of_ai_companies_are_curated(
    predecessor: str, successor: str, kind: str, date: str
) -> None:
    """People who went along with their team (an acquisition, a sale, a new name) kept their
    job: the seed must know these relations for inference to see continuity."""
    from service.domain.seed import load_relations

    found = {(r.predecessor, r.successor): r for r in load_relations()}
    relation = found[(predecessor, successor)]
    assert (relation.kind, relation.date) == (kind, date)


def test_a_relation_to_an_unknown_slug_is_a_clear_error(tmp_path: Path) -> None:
    from service.domain.seed import load_relations

    bad = tmp_path / "relations.toml"
    bad.write_text(
        '[[relation]]\npredecessor = "google-brain"\nsuccessor = "nowhere"\n'
        'kind = "merger"\ndate = "2023-04"\n'
    )
    with pytest.raises(SeedError, match="successor 'nowhere' is not the slug"):
        load_relations(bad)
    bad.write_text(
        '[[relation]]\npredecessor = "google-brain"\nsuccessor = "google-deepmind"\n'
        'kind = "takeover"\ndate = "2023-04"\n'
    )
    with pytest.raises(SeedError, match="kind 'takeover' is not one of"):
        load_relations(bad)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Inria Lille - Nord Europe", "inria-lille"),
        ("Inria centre at the University of Bordeaux", "inria-bordeaux"),
        ("Sony AI", "sony-ai"),
        ("CSIRO's Data61", "csiro-data61"),
        ("Lyft Level 5", "lyft-level-5"),
        ("ETH AI Center", "eth-ai-center"),
    ],
)
def test_research_units_are_rows_under_their_organisation(name: str, slug: str) -> None:
    """A research centre or lab named on papers (an Inria centre, Sony AI, Data61) is a row
    under its organisation, so that a switch between the two names is one employer."""
    by_slug = {e.slug: e for e in load_seed()}
    entry = by_slug[slug]
    assert name in (entry.name, *entry.aliases)
    assert entry.parent is not None and entry.parent in by_slug
