// A smaller program with the same answers as libseccomp's (see seccomp.h, CompactSeccomp).
//
// The kernel converts and JIT-compiles a filter at every start and every exec, in time linear in
// its length: libseccomp's program for the default profile (1,273 instructions: a test per
// system call number and architecture) took about 0.3 ms of each start. Its answer for most
// numbers depends on nothing but the number and the architecture, and is the same for runs of
// consecutive numbers. So the program is evaluated here for every (architecture, number), once
// per profile (the result is cached with the program, seccomp_cache.cc):
//
//   - the numbers are cut into intervals at every constant the program compares with (and at the
//     block edges of any mask applied to the number), so that within an interval every test on the
//     number goes the same way and one evaluation answers for all of it;
//   - an evaluation folds every test on the number and the architecture; what is left is either a
//     single RET (the answer) or, where the program reads arguments or the instruction pointer,
//     the residual tests on those (the same for the whole interval);
//   - adjacent intervals with the same result are merged, and the new program finds the interval
//     by binary search on the number, per architecture, each test jumping straight to one of the
//     block's few distinct answers. The default profile's 1,273 instructions become 362.
//
// Exact by construction: for every input the new program returns what the old one returns.
// Anything unexpected (another instruction, too many block edges) keeps the old program.
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "security/seccomp.h"

namespace mydocker {
namespace {

constexpr uint32_t kNrOffset = offsetof(seccomp_data, nr);
constexpr uint32_t kArchOffset = offsetof(seccomp_data, arch);
constexpr uint64_t kNumbers = 1ULL << 32;
constexpr size_t kMaxMaskEdges = 64;

bool IsLoad(const sock_filter& i) { return i.code == (BPF_LD | BPF_W | BPF_ABS); }
bool IsAnd(const sock_filter& i) { return i.code == (BPF_ALU | BPF_AND | BPF_K); }
bool IsJa(const sock_filter& i) { return i.code == (BPF_JMP | BPF_JA); }
bool IsRet(const sock_filter& i) { return i.code == (BPF_RET | BPF_K); }
bool IsCond(const sock_filter& i) {
  return i.code == (BPF_JMP | BPF_JEQ | BPF_K) || i.code == (BPF_JMP | BPF_JGT | BPF_K) ||
         i.code == (BPF_JMP | BPF_JGE | BPF_K) || i.code == (BPF_JMP | BPF_JSET | BPF_K);
}
bool Holds(const sock_filter& i, uint32_t a) {
  switch (BPF_OP(i.code)) {
    case BPF_JEQ:
      return a == i.k;
    case BPF_JGT:
      return a > i.k;
    case BPF_JGE:
      return a >= i.k;
    default:  // BPF_JSET
      return (a & i.k) != 0;
  }
}
bool Same(const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const sock_filter& x, const sock_filter& y) {
                      return x.code == y.code && x.jt == y.jt && x.jf == y.jf && x.k == y.k;
                    });
}

// The instructions this handles; anything else keeps libseccomp's program.
bool Supported(const std::vector<sock_filter>& p) {
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const sock_filter& i = p[pc];
    size_t reach = pc + 1;
    if (IsLoad(i)) {
      if (i.k % 4 != 0 || i.k >= sizeof(seccomp_data)) return false;
    } else if (IsJa(i)) {
      reach += i.k;
    } else if (IsCond(i)) {
      reach += std::max(i.jt, i.jf);
    } else if (!IsAnd(i) && !IsRet(i)) {
      return false;
    }
    if (!IsRet(i) && reach >= p.size()) return false;
  }
  return !p.empty();
}

// What the accumulator may hold at each instruction: bits kFromNr, kFromArch, kFromOther.
enum : uint8_t { kFromNr = 1, kFromArch = 2, kFromOther = 4 };
// With `arch`, only what that architecture reaches: a test of the accumulator when it can only
// hold the architecture goes one way. 0 at an instruction no path reaches.
std::vector<uint8_t> Sources(const std::vector<sock_filter>& p,
                             std::optional<uint32_t> arch = std::nullopt) {
  std::vector<uint8_t> in(p.size() + 1, 0);
  in[0] = kFromOther;
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const sock_filter& i = p[pc];
    if (in[pc] == 0) continue;
    uint8_t out = in[pc];
    if (IsLoad(i)) out = i.k == kNrOffset ? kFromNr : i.k == kArchOffset ? kFromArch : kFromOther;
    if (IsJa(i)) {
      in[pc + 1 + i.k] |= out;
    } else if (IsCond(i) && arch && out == kFromArch) {
      in[pc + 1 + (Holds(i, *arch) ? i.jt : i.jf)] |= out;
    } else if (IsCond(i)) {
      in[pc + 1 + i.jt] |= out;
      in[pc + 1 + i.jf] |= out;
    } else if (!IsRet(i)) {
      in[pc + 1] |= out;
    }
  }
  return in;
}

// The program's answer for (arch, nr) with every test on those two folded: a self-contained
// fragment whose jumps stay inside it, a single RET when the answer depends on nothing else.
class Specializer {
 public:
  Specializer(const std::vector<sock_filter>& p, uint32_t arch, uint32_t nr)
      : p_(p), arch_(arch), nr_(nr) {}

  std::vector<sock_filter> Run() {
    Visit(0, true, 0);
    // Nodes in program order: every jump goes forward.
    std::vector<size_t> order;
    for (auto& [key, node] : nodes_) order.push_back(node);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::make_pair(!node_list_[a].root, node_list_[a].pc) <
             std::make_pair(!node_list_[b].root, node_list_[b].pc);
    });
    std::vector<size_t> start(node_list_.size());
    std::vector<std::pair<size_t, size_t>> jumps;  // (index of a JA, node it goes to)
    std::vector<sock_filter> out;
    for (size_t n = 0; n < order.size(); ++n) {
      const Node& node = node_list_[order[n]];
      start[order[n]] = out.size();
      out.push_back(node.insn);
      if (IsCond(node.insn)) {
        out.back().jt = 0;
        out.back().jf = 1;
        jumps.emplace_back(out.size(), node.next_true);
        out.push_back(BPF_STMT(BPF_JMP | BPF_JA, 0));
        jumps.emplace_back(out.size(), node.next_false);
        out.push_back(BPF_STMT(BPF_JMP | BPF_JA, 0));
      } else if (!IsRet(node.insn) && (n + 1 == order.size() || order[n + 1] != node.next_true)) {
        jumps.emplace_back(out.size(), node.next_true);
        out.push_back(BPF_STMT(BPF_JMP | BPF_JA, 0));
      }
    }
    for (auto [at, node] : jumps) out[at].k = static_cast<uint32_t>(start[node] - at - 1);
    return out;
  }

 private:
  struct Node {
    size_t pc;
    bool root;
    sock_filter insn;
    size_t next_true = 0, next_false = 0;
  };

  // The node for the code from `pc` on, the accumulator known (`value`) or not.
  size_t Visit(size_t pc, bool known, uint32_t value) {
    const bool root = nodes_.empty();
    for (;;) {
      const sock_filter& i = p_[pc];
      if (known && IsLoad(i) && (i.k == kNrOffset || i.k == kArchOffset)) {
        value = i.k == kNrOffset ? nr_ : arch_;
        ++pc;
      } else if (IsLoad(i) && (i.k == kNrOffset || i.k == kArchOffset)) {
        known = true;  // from here on the accumulator is known again
      } else if (known && IsAnd(i)) {
        value &= i.k;
        ++pc;
      } else if (IsJa(i)) {
        pc += 1 + i.k;
      } else if (known && IsCond(i)) {
        pc += 1 + (Holds(i, value) ? i.jt : i.jf);
      } else {
        break;
      }
    }
    auto key = std::make_pair(pc, root);
    if (auto it = nodes_.find(key); it != nodes_.end()) return it->second;
    size_t id = node_list_.size();
    node_list_.push_back({pc, root, p_[pc]});
    nodes_[key] = id;
    const sock_filter& i = p_[pc];
    if (IsCond(i)) {
      size_t t = Visit(pc + 1 + i.jt, false, 0);
      size_t f = Visit(pc + 1 + i.jf, false, 0);
      node_list_[id].next_true = t;
      node_list_[id].next_false = f;
    } else if (!IsRet(i)) {  // a load of an argument, or AND of one
      node_list_[id].next_true = Visit(pc + 1, false, 0);
    }
    return id;
  }

  const std::vector<sock_filter>& p_;
  uint32_t arch_, nr_;
  std::map<std::pair<size_t, bool>, size_t> nodes_;
  std::vector<Node> node_list_;
};

struct Segment {
  uint64_t first;  // numbers [first, next segment's first)
  std::vector<sock_filter> answer;
};

// The segments of the number line for `arch`, merged; nullopt if the masks applied to the
// number cut it into too many blocks.
std::optional<std::vector<Segment>> Segments(const std::vector<sock_filter>& p, uint32_t arch) {
  const std::vector<uint8_t> sources = Sources(p, arch);
  std::set<uint64_t> edges = {0};
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const sock_filter& i = p[pc];
    if (!(sources[pc] & kFromNr)) continue;
    if (IsAnd(i) || (IsCond(i) && BPF_OP(i.code) == BPF_JSET)) {
      if (i.k == 0) continue;
      uint64_t block = 1ULL << __builtin_ctz(i.k);
      if (kNumbers / block > kMaxMaskEdges) return std::nullopt;
      for (uint64_t e = 0; e < kNumbers; e += block) edges.insert(e);
    } else if (IsCond(i)) {
      edges.insert(i.k);
      edges.insert(static_cast<uint64_t>(i.k) + 1);
    }
  }
  edges.erase(kNumbers);
  std::vector<Segment> out;
  for (uint64_t first : edges) {
    // Most answers depend on nothing else: running the program tells, without building
    // anything; the Specializer only where it reads an argument.
    seccomp_data d = {};
    d.arch = arch;
    d.nr = static_cast<int>(first);
    bool read_more = false;
    const uint32_t ret = RunSeccompProgram(p, d, &read_more);
    std::vector<sock_filter> answer =
        read_more ? Specializer(p, arch, static_cast<uint32_t>(first)).Run()
                  : std::vector<sock_filter>{BPF_STMT(BPF_RET | BPF_K, ret)};
    if (!out.empty() && Same(out.back().answer, answer)) continue;
    out.push_back({first, std::move(answer)});
  }
  return out;
}

class Assembler {
 public:
  // A JA to be pointed at `label` once it is placed.
  void JumpTo(size_t label) {
    fixups_.emplace_back(out_.size(), label);
    out_.push_back(BPF_STMT(BPF_JMP | BPF_JA, 0));
  }
  void Place(size_t label) {
    if (labels_.size() <= label) labels_.resize(label + 1, SIZE_MAX);
    labels_[label] = out_.size();
  }
  std::vector<sock_filter>& code() { return out_; }
  std::vector<sock_filter> Finish() {
    for (auto [at, label] : fixups_) out_[at].k = static_cast<uint32_t>(labels_[label] - at - 1);
    return std::move(out_);
  }

 private:
  std::vector<sock_filter> out_;
  std::vector<std::pair<size_t, size_t>> fixups_;
  std::vector<size_t> labels_;
};

// Binary search on the number over segments [l, r): a leaf is the segment's RET or a jump to its
// fragment (label `labels[segment]`).
size_t TreeSize(const std::vector<Segment>& s, size_t l, size_t r) {
  if (r - l == 1) return 1;
  size_t m = (l + r) / 2;
  size_t left = TreeSize(s, l, m);
  return 1 + (left > 255 ? 1 : 0) + left + TreeSize(s, m, r);
}

void EmitTree(Assembler& a, const std::vector<Segment>& s, const std::vector<size_t>& labels,
              size_t l, size_t r) {
  if (r - l == 1) {
    if (s[l].answer.size() == 1) {
      a.code().push_back(s[l].answer[0]);
    } else {
      a.JumpTo(labels[l]);
    }
    return;
  }
  size_t m = (l + r) / 2;
  size_t left = TreeSize(s, l, m);
  uint32_t k = static_cast<uint32_t>(s[m].first);
  if (left <= 255) {
    a.code().push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, k, static_cast<uint8_t>(left), 0));
    EmitTree(a, s, labels, l, m);
    EmitTree(a, s, labels, m, r);
    return;
  }
  // Too far for an 8-bit offset: through a JA.
  a.code().push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, k, 0, 1));
  a.code().push_back(BPF_STMT(BPF_JMP | BPF_JA, static_cast<uint32_t>(left)));
  EmitTree(a, s, labels, l, m);
  EmitTree(a, s, labels, m, r);
}

// The search for one architecture in fewer instructions where its block fits in 8-bit
// offsets: each distinct answer is one instruction at the block's end (a RET, or a jump to the
// fragment), and the tests jump there directly, so a leaf costs nothing. EmitTree otherwise.
void EmitBlock(Assembler& a, const std::vector<Segment>& s, const std::vector<size_t>& labels) {
  std::vector<size_t> sink_of(s.size());
  std::vector<size_t> sinks;  // the first segment with each answer
  for (size_t i = 0; i < s.size(); ++i) {
    auto same = [&](size_t j) {
      if ((s[i].answer.size() == 1) != (s[j].answer.size() == 1)) return false;
      return s[i].answer.size() == 1 ? Same(s[i].answer, s[j].answer) : labels[i] == labels[j];
    };
    sink_of[i] = std::find_if(sinks.begin(), sinks.end(), same) - sinks.begin();
    if (sink_of[i] == sinks.size()) sinks.push_back(i);
  }
  const size_t tests = s.size() - 1;
  if (tests == 0 || tests + sinks.size() > 256) {
    EmitTree(a, s, labels, 0, s.size());
    return;
  }
  std::vector<sock_filter>& code = a.code();
  const size_t first_sink = code.size() + tests;
  // Tests for segments [l, r), r - l >= 2, from code.size() on.
  std::function<void(size_t, size_t)> emit = [&](size_t l, size_t r) {
    size_t m = (l + r) / 2;
    size_t at = code.size();
    code.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, static_cast<uint32_t>(s[m].first), 0, 0));
    auto offset = [&](size_t target) { return static_cast<uint8_t>(target - at - 1); };
    if (m - l >= 2) {
      emit(l, m);  // right after: jf stays 0
    } else {
      code[at].jf = offset(first_sink + sink_of[l]);
    }
    if (r - m >= 2) {
      code[at].jt = offset(code.size());
      emit(m, r);
    } else {
      code[at].jt = offset(first_sink + sink_of[m]);
    }
  };
  emit(0, s.size());
  for (size_t i : sinks) {
    if (s[i].answer.size() == 1) {
      code.push_back(s[i].answer[0]);
    } else {
      a.JumpTo(labels[i]);
    }
  }
}

}  // namespace

uint32_t RunSeccompProgram(const std::vector<sock_filter>& p, const seccomp_data& data,
                           bool* read_more) {
  uint32_t a = 0;
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const sock_filter& i = p[pc];
    if (IsLoad(i)) {
      if (i.k % 4 != 0 || i.k >= sizeof data) return SECCOMP_RET_KILL_PROCESS;
      if (read_more != nullptr && i.k != kNrOffset && i.k != kArchOffset) *read_more = true;
      std::memcpy(&a, reinterpret_cast<const char*>(&data) + i.k, sizeof a);
    } else if (IsAnd(i)) {
      a &= i.k;
    } else if (IsJa(i)) {
      pc += i.k;
    } else if (IsCond(i)) {
      pc += Holds(i, a) ? i.jt : i.jf;
    } else if (IsRet(i)) {
      return i.k;
    } else {
      return SECCOMP_RET_KILL_PROCESS;  // not used by these programs
    }
  }
  return SECCOMP_RET_KILL_PROCESS;  // fell off the end: the kernel refuses such programs
}

std::optional<seccomp_data> SeccompAnswersDiffer(const std::vector<sock_filter>& before,
                                                 const std::vector<sock_filter>& after) {
  // Numbers: the low ones and x32's, every value either program compares with and its
  // neighbours (where a search could go wrong), the ends of the range.
  std::set<uint32_t> numbers = {0x3fffffff, 0x7fffffff, 0x80000000, 0xbfffffff,
                                0xc0000000, 0xfffffffe, 0xffffffff};
  // Arguments: each 32-bit half at every value compared with after a load of an argument.
  std::set<uint32_t> values = {0, 1, 0xffffffff, 0x80000000};
  for (const std::vector<sock_filter>* p : {&before, &after}) {
    bool argument = false;
    for (const sock_filter& i : *p) {
      if (IsLoad(i)) argument = i.k >= offsetof(seccomp_data, args);
      if (!IsCond(i) && !IsAnd(i)) continue;
      for (uint32_t v : {i.k - 1, i.k, i.k + 1}) (argument ? values : numbers).insert(v);
      if (argument) values.insert(~i.k);
    }
  }
  for (uint32_t n = 0; n < 600; ++n) {
    numbers.insert(n);
    numbers.insert(0x40000000 + n);
  }
  // Architectures: every one either program names, and two no program does.
  std::set<uint32_t> arches = {0, 0xdeadbeef};
  for (const std::vector<sock_filter>* p : {&before, &after}) {
    bool arch = false;
    for (const sock_filter& i : *p) {
      if (IsLoad(i)) arch = i.k == kArchOffset;
      if (arch && IsCond(i)) arches.insert(i.k);
    }
  }
  std::optional<seccomp_data> differs;
  // The answers for `d`; true if either program read more than the number and architecture.
  auto check = [&](const seccomp_data& d) {
    bool read_more = false;
    if (RunSeccompProgram(before, d, &read_more) != RunSeccompProgram(after, d, &read_more) &&
        !differs) {
      differs = d;
    }
    return read_more;
  };
  uint64_t random = 0x9e3779b97f4a7c15ULL;  // a fixed sequence (xorshift)
  auto next = [&] {
    random ^= random << 13;
    random ^= random >> 7;
    random ^= random << 17;
    return random;
  };
  for (uint32_t arch : arches) {
    for (uint32_t nr : numbers) {
      seccomp_data base = {};
      base.arch = arch;
      base.nr = static_cast<int>(nr);
      // Neither program looks further: no other input changes either answer.
      if (!check(base)) continue;
      for (size_t arg = 0; arg < 6; ++arg) {
        for (uint32_t v : values) {
          for (uint64_t value : {uint64_t{v}, uint64_t{v} << 32, uint64_t{v} << 32 | v}) {
            seccomp_data d = base;
            d.args[arg] = value;
            check(d);
          }
        }
      }
      for (int i = 0; i < 16; ++i) {
        seccomp_data d = base;
        d.instruction_pointer = next();
        for (auto& a : d.args) a = next() >> (next() % 2 ? 32 : 0);
        check(d);
      }
      if (differs) return differs;
    }
  }
  return differs;
}

std::optional<std::vector<sock_filter>> RebuildSeccomp(const std::vector<sock_filter>& program) {
  if (!Supported(program)) return std::nullopt;
  std::vector<uint8_t> sources = Sources(program);
  // The architectures the program tells apart, and one it does not know (0 is none).
  std::vector<uint32_t> arches;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& i = program[pc];
    if (!(sources[pc] & kFromArch)) continue;
    if (IsAnd(i) || (IsCond(i) && BPF_OP(i.code) != BPF_JEQ)) return std::nullopt;
    if (IsCond(i) && std::find(arches.begin(), arches.end(), i.k) == arches.end()) {
      arches.push_back(i.k);
    }
  }
  if (std::find(arches.begin(), arches.end(), 0u) != arches.end()) return std::nullopt;
  arches.push_back(0);  // last: every architecture not named

  std::vector<std::vector<Segment>> segments;
  for (uint32_t arch : arches) {
    auto s = Segments(program, arch);
    if (!s) return std::nullopt;
    segments.push_back(*std::move(s));
  }
  // Fragments that are more than a RET, each placed once.
  std::vector<std::vector<sock_filter>> fragments;
  std::vector<std::vector<size_t>> labels(arches.size());
  const size_t first_fragment_label = arches.size();
  for (size_t a = 0; a < arches.size(); ++a) {
    for (const Segment& s : segments[a]) {
      size_t f = 0;
      if (s.answer.size() > 1) {
        f = std::find_if(fragments.begin(), fragments.end(),
                         [&](const auto& fragment) { return Same(fragment, s.answer); }) -
            fragments.begin();
        if (f == fragments.size()) fragments.push_back(s.answer);
      }
      labels[a].push_back(first_fragment_label + f);
    }
  }

  Assembler out;
  out.code().push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArchOffset));
  for (size_t a = 0; a + 1 < arches.size(); ++a) {
    out.code().push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arches[a], 0, 1));
    out.JumpTo(a);
  }
  for (size_t a = arches.size(); a-- > 0;) {  // the unnamed architectures' block first: no jump
    if (a + 1 != arches.size()) out.Place(a);
    const std::vector<Segment>& s = segments[a];
    if (s.size() > 1) {  // the tests on the number (a fragment loads what it tests itself)
      out.code().push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNrOffset));
    }
    EmitBlock(out, s, labels[a]);
  }
  for (size_t f = 0; f < fragments.size(); ++f) {
    out.Place(first_fragment_label + f);
    out.code().insert(out.code().end(), fragments[f].begin(), fragments[f].end());
  }
  return out.Finish();
}

std::vector<sock_filter> CompactSeccomp(const std::vector<sock_filter>& program) {
  std::optional<std::vector<sock_filter>> rebuilt = RebuildSeccomp(program);
  return rebuilt && rebuilt->size() < program.size() ? *std::move(rebuilt) : program;
}

}  // namespace mydocker
