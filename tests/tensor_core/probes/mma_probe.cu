// H200 probe (issue #13): runs mma.sync on given operands and writes the raw results.
//   mma_probe KIND TILES KCHAIN DIR
// KIND: e4m3.e4m3.f32 | e4m3.e5m2.f32 | e5m2.e4m3.f32 | e5m2.e5m2.f32 | e4m3.e4m3.f16 |
//       e5m2.e5m2.f16 (m16n8k32) | f16.f16.f32 | bf16.bf16.f32 | f16.f16.f16 (m16n8k16) |
//       tf32.tf32.f32 (m16n8k8; codes are binary32 patterns with the low 13 bits zero)
// DIR/a.bin: TILES x 16 x K element codes (row-major), K = KCHAIN * instruction k
// DIR/b.bin: TILES x 8 x K codes (column j of B contiguous over k)
// DIR/c.bin: TILES x 16 x 8 codes of the accumulator type (row-major)
// writes DIR/d.bin like c.bin. One warp per tile; instruction i of the chain takes
// k = i*kinst .. (i+1)*kinst - 1 and the previous D as its C (the first takes c).
// Fragment layouts: PTX ISA, "Matrix fragments for mma.m16n8k32" / "mma.m16n8k16".
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#define CK(x)                                                                      \
  do {                                                                             \
    cudaError_t e_ = (x);                                                          \
    if (e_ != cudaSuccess) {                                                       \
      fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(e_)); \
      exit(1);                                                                     \
    }                                                                              \
  } while (0)

// 8-bit inputs, m16n8k32.
template <int KIND>
__device__ void mma8(uint32_t (&a)[4], uint32_t (&b)[2], uint32_t (&c)[4], uint32_t (&d)[4]);
#define MMA8_F32(ID, TA, TB)                                                                                     \
  template <>                                                                                                   \
  __device__ void mma8<ID>(uint32_t(&a)[4], uint32_t(&b)[2], uint32_t(&c)[4], uint32_t(&d)[4]) {                \
    asm volatile("mma.sync.aligned.m16n8k32.row.col.f32." TA "." TB ".f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "      \
                 "{%8,%9}, {%10,%11,%12,%13};"                                                                  \
                 : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])                                               \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(c[0]), "r"(c[1]),       \
                   "r"(c[2]), "r"(c[3]));                                                                       \
  }
#define MMA8_F16(ID, TA, TB)                                                                                     \
  template <>                                                                                                   \
  __device__ void mma8<ID>(uint32_t(&a)[4], uint32_t(&b)[2], uint32_t(&c)[4], uint32_t(&d)[4]) {                \
    asm volatile("mma.sync.aligned.m16n8k32.row.col.f16." TA "." TB ".f16 {%0,%1}, {%2,%3,%4,%5}, {%6,%7}, "    \
                 "{%8,%9};"                                                                                     \
                 : "=r"(d[0]), "=r"(d[1])                                                                        \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(c[0]), "r"(c[1]));     \
  }
MMA8_F32(0, "e4m3", "e4m3")
MMA8_F32(1, "e4m3", "e5m2")
MMA8_F32(2, "e5m2", "e4m3")
MMA8_F32(3, "e5m2", "e5m2")
MMA8_F16(4, "e4m3", "e4m3")
MMA8_F16(5, "e5m2", "e5m2")

// 16-bit inputs, m16n8k16.
template <int KIND>
__device__ void mma16(uint32_t (&a)[4], uint32_t (&b)[2], uint32_t (&c)[4], uint32_t (&d)[4]);
template <>
__device__ void mma16<6>(uint32_t (&a)[4], uint32_t (&b)[2], uint32_t (&c)[4], uint32_t (&d)[4]) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
               : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(c[0]), "r"(c[1]), "r"(c[2]), "r"(c[3]));
}
template <>
__device__ void mma16<7>(uint32_t (&a)[4], uint32_t (&b)[2], uint32_t (&c)[4], uint32_t (&d)[4]) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
               : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(c[0]), "r"(c[1]), "r"(c[2]), "r"(c[3]));
}
template <>
__device__ void mma16<8>(uint32_t (&a)[4], uint32_t (&b)[2], uint32_t (&c)[4], uint32_t (&d)[4]) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f16.f16.f16.f16 {%0,%1}, {%2,%3,%4,%5}, {%6,%7}, {%8,%9};"
               : "=r"(d[0]), "=r"(d[1])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(c[0]), "r"(c[1]));
}

template <>
__device__ void mma16<9>(uint32_t (&a)[4], uint32_t (&b)[2], uint32_t (&c)[4], uint32_t (&d)[4]) {
  asm volatile("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
               : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "r"(c[0]), "r"(c[1]), "r"(c[2]), "r"(c[3]));
}

// K elements per row; element size S bytes (1 or 2); accumulator f32 (ACC4 = true) or f16.
template <int KIND, int S, bool ACC4>
__global__ void probe(const uint8_t* A, const uint8_t* B, const uint8_t* C, uint8_t* D, int tiles, int K) {
  const int tile = blockIdx.x;
  if (tile >= tiles) return;
  const int lane = threadIdx.x, g = lane >> 2, t = lane & 3;
  const uint8_t* a = A + size_t(tile) * 16 * K * S;
  const uint8_t* b = B + size_t(tile) * 8 * K * S;
  const int kinst = S == 1 ? 32 : S == 2 ? 16 : 8;
  // Element (row, k) of A and (k, col) of B as bytes, packed little-endian into registers.
  auto ld = [&](const uint8_t* base, int row, int k, int n) {  // n consecutive elements from k
    uint32_t r = 0;
    for (int i = 0; i < n * S; ++i) r |= uint32_t(base[size_t(row) * K * S + size_t(k) * S + i]) << (8 * i);
    return r;
  };
  uint32_t c[4] = {0, 0, 0, 0};
  const int r0 = g, r1 = g + 8, c0 = t * 2;
  if (ACC4) {
    const uint32_t* Cf = reinterpret_cast<const uint32_t*>(C) + size_t(tile) * 128;
    c[0] = Cf[r0 * 8 + c0]; c[1] = Cf[r0 * 8 + c0 + 1]; c[2] = Cf[r1 * 8 + c0]; c[3] = Cf[r1 * 8 + c0 + 1];
  } else {
    const uint16_t* Ch = reinterpret_cast<const uint16_t*>(C) + size_t(tile) * 128;
    c[0] = Ch[r0 * 8 + c0] | (uint32_t(Ch[r0 * 8 + c0 + 1]) << 16);
    c[1] = Ch[r1 * 8 + c0] | (uint32_t(Ch[r1 * 8 + c0 + 1]) << 16);
  }
  for (int k0 = 0; k0 < K; k0 += kinst) {
    uint32_t ra[4], rb[2], d[4] = {0, 0, 0, 0};
    if (S == 1) {  // a0..3: (g, 4t..), a4..7: (g+8, 4t..), a8..11: (g, 16+4t..), a12..15: (g+8, 16+4t..)
      ra[0] = ld(a, r0, k0 + 4 * t, 4); ra[1] = ld(a, r1, k0 + 4 * t, 4);
      ra[2] = ld(a, r0, k0 + 16 + 4 * t, 4); ra[3] = ld(a, r1, k0 + 16 + 4 * t, 4);
      rb[0] = ld(b, g, k0 + 4 * t, 4); rb[1] = ld(b, g, k0 + 16 + 4 * t, 4);
      mma8<KIND>(ra, rb, c, d);
    } else if (S == 4) {  // tf32 m16n8k8: a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4); b0 (t, g), b1 (t+4, g)
      ra[0] = ld(a, r0, k0 + t, 1); ra[1] = ld(a, r1, k0 + t, 1);
      ra[2] = ld(a, r0, k0 + t + 4, 1); ra[3] = ld(a, r1, k0 + t + 4, 1);
      rb[0] = ld(b, g, k0 + t, 1); rb[1] = ld(b, g, k0 + t + 4, 1);
      mma16<KIND>(ra, rb, c, d);
    } else {  // a0,1: (g, 2t..), a2,3: (g+8, 2t..), a4,5: (g, 8+2t..), a6,7: (g+8, 8+2t..)
      ra[0] = ld(a, r0, k0 + 2 * t, 2); ra[1] = ld(a, r1, k0 + 2 * t, 2);
      ra[2] = ld(a, r0, k0 + 8 + 2 * t, 2); ra[3] = ld(a, r1, k0 + 8 + 2 * t, 2);
      rb[0] = ld(b, g, k0 + 2 * t, 2); rb[1] = ld(b, g, k0 + 8 + 2 * t, 2);
      mma16<KIND>(ra, rb, c, d);
    }
    for (int i = 0; i < 4; ++i) c[i] = d[i];
  }
  if (ACC4) {
    uint32_t* Df = reinterpret_cast<uint32_t*>(D) + size_t(tile) * 128;
    Df[r0 * 8 + c0] = c[0]; Df[r0 * 8 + c0 + 1] = c[1]; Df[r1 * 8 + c0] = c[2]; Df[r1 * 8 + c0 + 1] = c[3];
  } else {
    uint16_t* Dh = reinterpret_cast<uint16_t*>(D) + size_t(tile) * 128;
    Dh[r0 * 8 + c0] = c[0] & 0xffff; Dh[r0 * 8 + c0 + 1] = c[0] >> 16;
    Dh[r1 * 8 + c0] = c[1] & 0xffff; Dh[r1 * 8 + c0 + 1] = c[1] >> 16;
  }
}

static std::vector<uint8_t> slurp(const std::string& p, size_t n) {
  std::vector<uint8_t> v(n);
  FILE* f = fopen(p.c_str(), "rb");
  if (!f || fread(v.data(), 1, n, f) != n) { fprintf(stderr, "cannot read %zu bytes of %s\n", n, p.c_str()); exit(1); }
  fclose(f);
  return v;
}

int main(int argc, char** argv) {
  if (argc != 5) { fprintf(stderr, "usage: mma_probe KIND TILES KCHAIN DIR\n"); return 2; }
  const std::string kind = argv[1], dir = argv[4];
  const int tiles = atoi(argv[2]), chain = atoi(argv[3]);
  static const char* kinds[] = {"e4m3.e4m3.f32", "e4m3.e5m2.f32", "e5m2.e4m3.f32", "e5m2.e5m2.f32", "e4m3.e4m3.f16",
                                "e5m2.e5m2.f16", "f16.f16.f32",   "bf16.bf16.f32", "f16.f16.f16", "tf32.tf32.f32"};
  int id = -1;
  for (int i = 0; i < 10; ++i) if (kind == kinds[i]) id = i;
  if (id < 0) { fprintf(stderr, "unknown kind %s\n", kind.c_str()); return 2; }
  const int S = id < 6 ? 1 : id < 9 ? 2 : 4, K = chain * (S == 1 ? 32 : S == 2 ? 16 : 8);
  const bool acc4 = id < 4 || id == 6 || id == 7 || id == 9;
  const size_t na = size_t(tiles) * 16 * K * S, nb = size_t(tiles) * 8 * K * S, nc = size_t(tiles) * 128 * (acc4 ? 4 : 2);
  auto ha = slurp(dir + "/a.bin", na), hb = slurp(dir + "/b.bin", nb), hc = slurp(dir + "/c.bin", nc);
  uint8_t *A, *B, *C, *D;
  CK(cudaMalloc(&A, na)); CK(cudaMalloc(&B, nb)); CK(cudaMalloc(&C, nc)); CK(cudaMalloc(&D, nc));
  CK(cudaMemcpy(A, ha.data(), na, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(B, hb.data(), nb, cudaMemcpyHostToDevice));
  CK(cudaMemcpy(C, hc.data(), nc, cudaMemcpyHostToDevice));
  switch (id) {
    case 0: probe<0, 1, true><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
    case 1: probe<1, 1, true><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
    case 2: probe<2, 1, true><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
    case 3: probe<3, 1, true><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
    case 4: probe<4, 1, false><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
    case 5: probe<5, 1, false><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
    case 6: probe<6, 2, true><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
    case 7: probe<7, 2, true><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
    case 8: probe<8, 2, false><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
    case 9: probe<9, 4, true><<<tiles, 32>>>(A, B, C, D, tiles, K); break;
  }
  CK(cudaGetLastError());
  CK(cudaDeviceSynchronize());
  std::vector<uint8_t> hd(nc);
  CK(cudaMemcpy(hd.data(), D, nc, cudaMemcpyDeviceToHost));
  FILE* f = fopen((dir + "/d.bin").c_str(), "wb");
  if (!f || fwrite(hd.data(), 1, nc, f) != nc) { fprintf(stderr, "cannot write d.bin\n"); return 1; }
  fclose(f);
  return 0;
}
