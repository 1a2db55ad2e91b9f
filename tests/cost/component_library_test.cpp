// The component library: the cited reference points at 45 nm, the scaling laws (monotone in
// width and node), the Stillmaker fits behind the node factors, user overrides, rejection of
// malformed files with a one-line error naming the file and field, and composition.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <arithsim/cost/builtin_library.hpp>
#include <arithsim/cost/component_library.hpp>

namespace {

using arithsim::cost::ComponentLibrary;
using arithsim::cost::Cost;
using arithsim::cost::LibraryError;
using arithsim::cost::Technology;
namespace builtin = arithsim::cost::builtin;

const ComponentLibrary& lib() {
  static const ComponentLibrary l = ComponentLibrary::builtin();
  return l;
}

void expect_rel(double got, double want, double rel = 1e-12) { EXPECT_NEAR(got, want, std::abs(want) * rel) << want; }

// The message of the LibraryError `f` throws ("" if none).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const LibraryError& e) {
    return e.what();
  }
  return "";
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

ComponentLibrary with_components(const std::string& yaml) {
  return ComponentLibrary::parse(yaml, builtin::components_name, builtin::technology_yaml(), builtin::technology_name);
}

// ---- the cited numbers --------------------------------------------------------------------

TEST(ComponentLibrary, HorowitzPointsReproducedAt45nm) {
  struct Ref {
    const char* name;
    std::vector<double> w;
    double area, energy;  // 0: no area in the source
  } refs[] = {
      {"int_adder", {8}, 36, 0.03},           {"int_adder", {32}, 137, 0.1},
      {"int_multiplier", {8, 8}, 282, 0.2},   {"int_multiplier", {32, 32}, 3495, 3.1},
      {"fp_adder", {5, 10}, 1360, 0.4},       {"fp_adder", {8, 23}, 4184, 0.9},
      {"fp_multiplier", {5, 10}, 1640, 1.1},  {"fp_multiplier", {8, 23}, 7700, 3.7},
      {"sram", {1024, 64}, 0, 10},            {"sram", {4096, 64}, 0, 20},
      {"sram", {131072, 64}, 0, 100},
  };
  const auto& n45 = lib().technology().node(45);
  for (const auto& r : refs) {
    SCOPED_TRACE(r.name);
    const Cost c = lib().component(r.name, r.w, n45);
    if (r.area > 0) expect_rel(c.area_um2, r.area);
    expect_rel(c.energy_pj, r.energy);
    EXPECT_NE(c.source.find("Horowitz"), std::string::npos) << c.source;
  }
  EXPECT_EQ(lib().technology().reference().name, "45");
  EXPECT_EQ(lib().technology().reference().vdd_v, 0.9);  // Horowitz's operating point
  EXPECT_GE(lib().version(), 1);
}

TEST(ComponentLibrary, EveryComponentHasASourceAndAnswers) {
  for (const auto& name : lib().names()) {
    SCOPED_TRACE(name);
    std::vector<double> w(lib().params(name).size(), 8);
    const Cost c = lib().component(name, w, lib().technology().reference());
    EXPECT_FALSE(c.source.empty());
    EXPECT_GT(c.area_um2, 0);
    EXPECT_GT(c.energy_pj, 0);
    EXPECT_GT(c.leakage_uw, 0);
    EXPECT_GT(c.delay_ps, 0);
  }
}

// ---- scaling laws ---------------------------------------------------------------------------

TEST(ComponentLibrary, MonotoneInWidth) {
  const auto& node = lib().technology().reference();
  struct Sweep {
    const char* name;
    std::vector<double> fixed;  // widths; the swept one is `which`
    size_t which;
    bool strict_area;
  } sweeps[] = {
      {"int_adder", {0}, 0, true},          {"int_accumulator", {0}, 0, true}, {"int_multiplier", {0, 8}, 0, true},
      {"int_multiplier", {8, 0}, 1, true},  {"barrel_shifter", {0, 7}, 0, true}, {"barrel_shifter", {16, 0}, 1, false},
      {"lzc", {0}, 0, true},                {"mux", {0, 4}, 0, true},           {"mux", {8, 0}, 1, true},
      {"comparator", {0}, 0, true},         {"register", {0}, 0, true},         {"sram", {0, 32}, 0, true},
      {"sram", {256, 0}, 1, true},          {"register_file", {0, 8}, 0, true}, {"register_file", {16, 0}, 1, true},
      {"fp_adder", {5, 0}, 1, true},        {"fp_adder", {0, 10}, 0, false},    {"fp_multiplier", {5, 0}, 1, true},
      {"fp_multiplier", {0, 10}, 0, true},  {"fp_fma", {4, 0}, 1, true},        {"fp_fma", {0, 7}, 0, false},
  };
  for (const auto& s : sweeps) {
    SCOPED_TRACE(std::string(s.name) + " width " + std::to_string(s.which));
    Cost prev;
    for (int x = 2; x <= 64; ++x) {
      auto w = s.fixed;
      w[s.which] = x;
      const Cost c = lib().component(s.name, w, node);
      if (x > 2) {
        if (s.strict_area) {
          EXPECT_GT(c.area_um2, prev.area_um2) << x;
        } else {
          EXPECT_GE(c.area_um2, prev.area_um2) << x;
        }
        EXPECT_GE(c.energy_pj, prev.energy_pj) << x;
        EXPECT_GE(c.leakage_uw, prev.leakage_uw) << x;
        EXPECT_GE(c.delay_ps, prev.delay_ps) << x;
      }
      prev = c;
    }
  }
}

TEST(ComponentLibrary, StatedLawsOutsideThePoints) {
  const auto& n = lib().technology().reference();
  // linear in width beyond the 32-bit point, a*b beyond 32x32, w*ceil(log2(r+1)) for shifters
  expect_rel(lib().component("int_adder", std::vector<double>{64}, n).area_um2, 2 * 137);
  expect_rel(lib().component("int_multiplier", std::vector<double>{64, 32}, n).energy_pj, 2 * 3.1);
  expect_rel(lib().component("int_adder", std::vector<double>{4}, n).energy_pj, 0.015);
  const double s32 = lib().component("barrel_shifter", std::vector<double>{32, 31}, n).area_um2;
  expect_rel(lib().component("barrel_shifter", std::vector<double>{64, 63}, n).area_um2, s32 * 2 * 6 / 5);
  // SRAM access energy ~ w sqrt(entries) below the 8 KB point: half the width, half the energy
  expect_rel(lib().component("sram", std::vector<double>{1024, 32}, n).energy_pj, 5);
  expect_rel(lib().component("sram", std::vector<double>{256, 64}, n).energy_pj, 5);
}

TEST(Technology, MonotoneInNode) {
  const auto& tech = lib().technology();
  for (const double nm : {45., 32., 28., 22., 20., 16., 14., 10., 7.}) EXPECT_NO_THROW(tech.node(nm)) << nm;
  for (const char* name : {"int_adder", "int_multiplier", "fp_fma", "sram", "register"}) {
    SCOPED_TRACE(name);
    std::vector<double> w(lib().params(name).size(), 16);
    const Cost c45 = lib().component(name, w, tech.node(45));
    Cost prev = c45;
    for (const double nm : {32., 28., 22., 20., 16., 14., 10., 7.}) {
      const Cost c = lib().component(name, w, tech.node(nm));
      EXPECT_LT(c.area_um2, prev.area_um2) << nm;
      EXPECT_LT(c.energy_pj, prev.energy_pj) << nm;
      EXPECT_LT(c.leakage_uw, prev.leakage_uw) << nm;
      EXPECT_LT(c.delay_ps, c45.delay_ps) << nm;  // not monotone node to node: see docs/cost.md
      prev = c;
    }
    for (const double nm : {16., 14., 10., 7.}) EXPECT_LT(lib().component(name, w, tech.node(nm)).delay_ps,
                                                          lib().component(name, w, tech.node(20)).delay_ps);
  }
}

TEST(Technology, FactorsFollowTheStillmakerFits) {
  const auto& tech = lib().technology();
  const auto& ref = tech.reference();
  auto poly = [](const std::vector<double>& c, double v) {
    double y = 0;
    for (double k : c) y = y * v + k;
    return y;
  };
  int checked = 0;
  for (const auto& n : tech.nodes()) {
    if (n.fit_energy.empty()) continue;
    SCOPED_TRACE(n.name);
    expect_rel(n.energy, poly(n.fit_energy, n.vdd_v) / poly(ref.fit_energy, ref.vdd_v), 1e-3);
    expect_rel(n.delay, poly(n.fit_delay, n.vdd_v) / poly(ref.fit_delay, ref.vdd_v), 1e-3);
    expect_rel(n.leakage, n.area * n.vdd_v / ref.vdd_v, 1e-3);  // the stated assumption
    ++checked;
  }
  EXPECT_EQ(checked, 8);  // 130 nm (sky130), 45, 32, 20, 16, 14, 10, 7
  // The paper's corrected worked example (Section 4.2.1 erratum): 32 nm energy factor at 0.9 V.
  EXPECT_NEAR(poly(tech.node(32).fit_energy, 0.9), 0.4571, 1e-4);
  // 28 and 22 nm: interpolated between 32 and 20 nm.
  const auto &a = tech.node(32), &b = tech.node(20), &c = tech.node(28);
  expect_rel(c.energy, a.energy + (b.energy - a.energy) / 3, 1e-3);
}

// ---- user overrides -------------------------------------------------------------------------

TEST(ComponentLibrary, UserOverrideReplacesNumbersAndSaysUser) {
  ComponentLibrary l = lib();
  l.merge(R"(
components:
  int_adder:
    points:
      - {w: 8, area_um2: 30, energy_pj: 0.025, delay_ps: 90}
    source: our post-synthesis figures
)",
          "mine.yaml");
  const Cost c = l.component("int_adder", {8});
  EXPECT_EQ(c.area_um2, 30);
  EXPECT_EQ(c.energy_pj, 0.025);
  EXPECT_EQ(c.delay_ps, 90);
  EXPECT_EQ(c.source, "user (mine.yaml): our post-synthesis figures");
  expect_rel(c.leakage_uw, 0.02 * 30);  // the library's formula, on the user's area
  // Linear law from the user's single point; composites built on it say so.
  expect_rel(l.component("int_adder", {16}).area_um2, 60);
  EXPECT_NE(l.component("int_accumulator", {16}).source.find("uses user figures for: int_adder"), std::string::npos);
  // The original library is untouched.
  EXPECT_EQ(lib().component("int_adder", {8}).area_um2, 36);
}

TEST(ComponentLibrary, UserFiguresAtAnotherNodeAndUserNodes) {
  ComponentLibrary l = lib();
  const std::string path = ::testing::TempDir() + "/arithsim_cost_user.yaml";
  std::ofstream(path) << R"(
version: 1
constants: {fo4_ps: 15}
nodes:
  "12":
    feature_nm: 12
    vdd_v: 0.75
    area: 0.12
    energy: 0.11
    delay: 0.33
    leakage: 0.1
    source: our foundry's 12 nm figures
components:
  int_multiplier:
    node: "28"
    points:
      - {a: 8, b: 8, area_um2: 100, energy_pj: 0.1}
)";
  l.merge_file(path);
  std::remove(path.c_str());
  expect_rel(l.component("int_multiplier", {8, 8}, 28).area_um2, 100);
  expect_rel(l.component("int_multiplier", {8, 8}, 45).area_um2, 100 / l.technology().node(28).area);
  expect_rel(l.component("int_multiplier", {8, 8}, 12).energy_pj, 0.1 / l.technology().node(28).energy * 0.11);
  EXPECT_EQ(l.technology().node(12).source, "user (" + path + "): our foundry's 12 nm figures");
  expect_rel(l.component("register", {8}).delay_ps, 60);  // a constant given as a number stays
  expect_rel(l.component("mux", {8, 2}).delay_ps, 15);    // fo4_ps overridden
  EXPECT_NE(l.component("int_multiplier", {8, 8}).source.find("user ("), std::string::npos);
}

TEST(ComponentLibrary, UserAddsAComponent) {
  ComponentLibrary l = lib();
  l.merge(R"(
components:
  popcount:
    params: [w]
    area_um2: 2.5 * w
    energy_pj: logic_energy_pj_per_um2 * area_um2
    leakage_uw: leakage_uw_per_um2 * area_um2
    delay_ps: fo4_ps * log2(w)
  xnor_popcount_mac:
    params: [w]
    stages:
      - {stage: multiply, part: xnor, component: mux, w: w, n: 2}
      - {stage: accumulate, part: popcount, component: popcount, w: w}
    source: derived
)",
          "extra.yaml");
  const Cost p = l.component("popcount", {64});
  expect_rel(p.area_um2, 160);
  EXPECT_EQ(p.source, "user (extra.yaml)");
  const Cost m = l.component("xnor_popcount_mac", {64});
  expect_rel(m.area_um2, 160 + 1.9 * 64);
}

// ---- malformed files ------------------------------------------------------------------------

TEST(ComponentLibrary, RejectsMalformedFiles) {
  const std::string good(builtin::components_yaml());
  // missing field
  EXPECT_EQ(error_of([&] { with_components(replaced(good, "    delay_ps: fo4_ps * (2 + log2(w))\n", "")); }),
            "components.yaml: component 'int_adder': field 'delay_ps' is missing (neither a formula nor in every point)");
  EXPECT_EQ(error_of([&] { with_components(replaced(good, "    params: [a, b]\n", "")); }),
            "components.yaml: component 'int_multiplier': field 'params' is missing");
  // not a number
  EXPECT_EQ(error_of([&] { with_components(replaced(good, "{w: 8, area_um2: 36,", "{w: 8, area_um2: lots,")); }),
            "components.yaml: component 'int_adder': point 1: field 'area_um2' is not a number");
  EXPECT_EQ(error_of([&] { with_components(replaced(good, "  fo4_ps: 20 ", "  fo4_ps: fast ")); }),
            "components.yaml: constants: field 'fo4_ps' is not a number");
  // a typo is not silently ignored
  EXPECT_EQ(error_of([&] { with_components(replaced(good, "    description: n:1", "    descriptoin: n:1")); }),
            "components.yaml: component 'mux': unknown field 'descriptoin'");
  EXPECT_EQ(error_of([&] { with_components(replaced(good, "fo4_ps * ceil(log2(n))", "fo5_ps * ceil(log2(n))")); }),
            "components.yaml: component 'mux': field 'delay_ps': unknown name 'fo5_ps'");
  EXPECT_EQ(error_of([&] { with_components(replaced(good, "component: int_multiplier, a: m + 1", "component: int_mul, a: m + 1")); }),
            "components.yaml: component 'fp_multiplier': stage 2: unknown component 'int_mul'");
  // unknown node
  EXPECT_EQ(error_of([&] { with_components(replaced(good, "  int_adder:\n", "  int_adder:\n    node: \"12\"\n")); }),
            "components.yaml: component 'int_adder': unknown node '12' in field 'node'");
  EXPECT_EQ(error_of([&] {
              ComponentLibrary::parse(good, "components.yaml",
                                      replaced(std::string(builtin::technology_yaml()), "reference_node: \"45\"",
                                               "reference_node: \"99\""),
                                      "technology.yaml");
            }),
            "technology.yaml: unknown node '99' in field 'reference_node'");
  ComponentLibrary l = lib();
  EXPECT_EQ(error_of([&] { l.merge("components:\n  int_adder: {node: \"12\"}\n", "user.yaml"); }),
            "user.yaml: component 'int_adder': unknown node '12' in field 'node'");
  EXPECT_EQ(error_of([&] { l.merge("nodes:\n  \"12\": {feature_nm: 12, vdd_v: 0.7, area: 0.1}\n", "user.yaml"); }),
            "user.yaml: node '12': field 'energy' is missing");
  EXPECT_EQ(error_of([&] { l.component("int_adder", {8}, 12); }),
            "unknown technology node 12 nm (known: 130, 45, 32, 28, 22, 20, 16, 14, 10, 7)");
  EXPECT_EQ(l.component("int_adder", {8}).area_um2, 36);  // unchanged by the failed merges
}

TEST(ComponentLibrary, RejectsTruncatedFiles) {
  const std::string good(builtin::components_yaml());
  // Cut inside a flow mapping, inside a component, and inside a stage list.
  for (const std::string at : {"{w: 32, area_um2: 137, ener", "  int_multiplier:\n    description: a x b",
                               "      - {stage: multiply, part: exponent add, component: int_adder, w: e + 2}\n"
                               "      - {stage: multiply, part: significand multiplier, compo"}) {
    const size_t cut = good.find(at);
    ASSERT_NE(cut, std::string::npos) << at;
    const std::string msg = error_of([&] { with_components(good.substr(0, cut + at.size())); });
    EXPECT_EQ(msg.rfind("components.yaml:", 0), 0u) << msg;
    EXPECT_TRUE(msg.find("field") != std::string::npos || msg.find("YAML syntax error") != std::string::npos) << msg;
  }
  const std::string tech(builtin::technology_yaml());
  const std::string msg = error_of([&] {
    ComponentLibrary::parse(good, "components.yaml", tech.substr(0, tech.find("    delay: 0.6631")), "technology.yaml");
  });
  EXPECT_EQ(msg, "technology.yaml: node '32': field 'delay' is missing");
}

TEST(ComponentLibrary, QueryErrors) {
  EXPECT_EQ(error_of([] { lib().component("int_adder", {8, 8}); }),
            "component 'int_adder': takes 1 width (w), got 2");
  EXPECT_EQ(error_of([] { lib().component("int_adder", {0}); }),
            "component 'int_adder': width w = 0.000000 is not positive");
  EXPECT_EQ(error_of([] { lib().component("adder", {8}); }).rfind("unknown component 'adder' (known: int_adder", 0), 0u);
}

// ---- composition ----------------------------------------------------------------------------

TEST(Cost, CompositionSums) {
  const Cost parts[] = {lib().component("int_multiplier", {8, 8}), lib().component("int_adder", {16}),
                        lib().component("register", {16})};
  const Cost s = arithsim::cost::series(parts);
  const Cost p = arithsim::cost::parallel(parts);
  double area = 0, energy = 0, leak = 0, delay = 0, slowest = 0;
  for (const auto& c : parts) {
    area += c.area_um2, energy += c.energy_pj, leak += c.leakage_uw, delay += c.delay_ps;
    slowest = std::max(slowest, c.delay_ps);
  }
  EXPECT_DOUBLE_EQ(s.area_um2, area);
  EXPECT_DOUBLE_EQ(s.energy_pj, energy);
  EXPECT_DOUBLE_EQ(s.leakage_uw, leak);
  EXPECT_DOUBLE_EQ(s.delay_ps, delay);
  EXPECT_DOUBLE_EQ(p.area_um2, area);
  EXPECT_DOUBLE_EQ(p.delay_ps, slowest);
  EXPECT_NE(s.source.find("Horowitz"), std::string::npos);
  EXPECT_NE(s.source.find("; assumed"), std::string::npos);  // distinct sources joined
  const Cost r = arithsim::cost::replicate(parts[0], 4);
  EXPECT_DOUBLE_EQ(r.area_um2, 4 * parts[0].area_um2);
  EXPECT_DOUBLE_EQ(r.delay_ps, parts[0].delay_ps);
}

TEST(Cost, BreakdownSumsToTheComponent) {
  for (const char* name : {"fp_adder", "fp_multiplier", "fp_fma", "int_accumulator", "register_file", "int_adder"}) {
    for (const double nm : {45., 7.}) {
      SCOPED_TRACE(std::string(name) + " " + std::to_string(nm));
      const std::vector<double> w = lib().params(name).size() == 2 ? std::vector<double>{4, 3} : std::vector<double>{16};
      const auto& node = lib().technology().node(nm);
      const auto parts = lib().breakdown(name, w, node);
      std::vector<Cost> costs;
      for (const auto& p : parts) costs.push_back(p.cost);
      const Cost sum = arithsim::cost::series(costs), whole = lib().component(name, w, node);
      expect_rel(sum.area_um2, whole.area_um2);
      expect_rel(sum.energy_pj, whole.energy_pj);
      expect_rel(sum.leakage_uw, whole.leakage_uw);
      expect_rel(sum.delay_ps, whole.delay_ps);
    }
  }
  // The FP adder's stages are the datapath's: align, accumulate, normalize, round.
  std::vector<std::string> stages;
  for (const auto& p : lib().breakdown("fp_adder", {4, 3}, 45))
    if (stages.empty() || stages.back() != p.stage) stages.push_back(p.stage);
  EXPECT_EQ(stages, (std::vector<std::string>{"align", "accumulate", "normalize", "round"}));
  // register_file: a read does not clock the storage.
  const auto rf = lib().breakdown("register_file", {16, 8}, 45);
  EXPECT_EQ(rf[0].cost.energy_pj, 0);
  EXPECT_GT(rf[0].cost.area_um2, rf[1].cost.area_um2);
}

// ---- the embedded library is the file -------------------------------------------------------

#ifdef ARITHSIM_COST_LIBRARY_DIR
TEST(ComponentLibrary, EmbeddedEqualsTheFiles) {
  const std::string dir = ARITHSIM_COST_LIBRARY_DIR;
  const auto from_files = ComponentLibrary::load(dir + "/components.yaml", dir + "/technology.yaml");
  EXPECT_EQ(from_files.names(), lib().names());
  for (const auto& name : lib().names()) {
    std::vector<double> w(lib().params(name).size(), 12);
    EXPECT_EQ(from_files.component(name, w, from_files.technology().node(22)).energy_pj,
              lib().component(name, w, lib().technology().node(22)).energy_pj);
  }
  EXPECT_EQ(error_of([&] { ComponentLibrary::load(dir + "/nope.yaml", dir + "/technology.yaml"); }),
            dir + "/nope.yaml: cannot read the file");
}
#endif

}  // namespace

// A version beyond int (found by the fuzzing campaign: the cast was undefined) or not a
// whole number is a one-line error naming the field.
TEST(ComponentLibrary, VersionMustBeASmallInteger) {
  for (const char* v : {"16666666666666666666666", "1.5", "-1", "1e300"}) {
    const std::string msg = error_of([&] { with_components(std::string("version: ") + v + "\ncomponents: {}\n"); });
    EXPECT_NE(msg.find("field 'version' must be an integer in 0..1000000"), std::string::npos) << v << ": " << msg;
  }
  const std::string tech = replaced(std::string(builtin::technology_yaml()), "version: 1", "version: 1e30");
  std::string msg;
  try {
    Technology::parse(tech, "tech.yaml");
  } catch (const std::exception& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("field 'version' must be an integer"), std::string::npos) << msg;
}
