;; The packed-triangle rank-L update of triangle-update.ts in WebAssembly SIMD (f64x2), bit-identical to it:
;;
;;   out[pos(a, b)] += Σ_{s=0}^{L−1} A[a, s] · B[b, s]   for 0 ≤ a ≤ b < n   (st = 1: a < b),
;;
;; every entry summed as the JS kernel sums it: t = +0, then t = t + A[a,s]·B[b,s] for s = 0, 1, …, L−1 in order
;; (f64x2.mul, then f64x2.add: wasm never fuses them), then out = out + t. A lane holds one entry from start to end, so
;; each entry gets exactly the JS kernel's IEEE operations in the same order: the same bits.
;;
;; Layout (byte addresses in the imported memory):
;;   out   the packed row-major upper triangle, (0,0) (0,1) … (0,n−1) (1,1) … ; st = 1: (0,1) … (0,n−1) (1,2) … .
;;   pa/pb the panels A and B, rows interleaved in pairs: A[a, s] at pa + (a >> 1)·16L + 16s + 8(a & 1), so one
;;         v128.load at pb + (b >> 1)·16L + 16s gives (B[b, s], B[b+1, s]). Each panel holds ⌈n/4⌉·4 rows: the rows
;;         from n on are padding (any values, NaN too: their entries are computed, never stored). A = B is allowed.
;;
;; Shape: 4 × 4 tiles (rows a … a+3 of A, two pairs of B rows b … b+3), 8 f64x2 sums in registers, 4 splat loads and 2
;; vector loads per s for 16 products. Tiles on the diagonal and past the last column or row store only the lanes that
;; lie in the triangle ($put); the others add all 16 entries with 8 v128 stores. Measured in Node 20 (V8 11.3, x64) at
;; n = 490, L = 33: ≈ 10 products/ns on an idle core, 3–4× the JS kernel. Larger tiles (4 × 6, 6 × 4, 2 × 8) spill
;; registers and run at ≈ 6; unrolling s by 2 or 4 also ran slower (≈ 6.5), so the loop takes one s per turn.
(module
  (import "env" "memory" (memory 1))

  ;; The address of entry (a, 0) of the triangle at out (entry (a, b) is at this + 8b):
  ;; out + 8·(a·(n − st) − a(a−1)/2 − a − st).
  (func $row (param $out i32) (param $a i32) (param $n i32) (param $st i32) (result i32)
    (i32.add
      (local.get $out)
      (i32.shl
        (i32.sub
          (i32.sub
            (i32.sub
              (i32.mul (local.get $a) (i32.sub (local.get $n) (local.get $st)))
              (i32.shr_u (i32.mul (local.get $a) (i32.sub (local.get $a) (i32.const 1))) (i32.const 1)))
            (local.get $a))
          (local.get $st))
        (i32.const 3))))

  ;; Entries (row, col) and (row, col+1) at p and p + 8: out += each lane of q whose entry lies in the triangle.
  (func $put (param $p i32) (param $q v128) (param $row i32) (param $col i32) (param $n i32) (param $st i32)
    (local $first i32)
    (if (i32.ge_u (local.get $row) (local.get $n)) (then (return)))
    (local.set $first (i32.add (local.get $row) (local.get $st)))
    (if (i32.and (i32.ge_u (local.get $col) (local.get $first)) (i32.lt_u (local.get $col) (local.get $n)))
      (then
        (f64.store (local.get $p)
          (f64.add (f64.load (local.get $p)) (f64x2.extract_lane 0 (local.get $q))))))
    ;; p + 8 by i32.add, not offset=8: p wraps below 0 for (0, 0) of a strict triangle at address 0, never stored
    (local.set $col (i32.add (local.get $col) (i32.const 1)))
    (local.set $p (i32.add (local.get $p) (i32.const 8)))
    (if (i32.and (i32.ge_u (local.get $col) (local.get $first)) (i32.lt_u (local.get $col) (local.get $n)))
      (then
        (f64.store (local.get $p)
          (f64.add (f64.load (local.get $p)) (f64x2.extract_lane 1 (local.get $q)))))))

  ;; update(out, pa, pb, n, L, st): the update above; allocates nothing, touches only the triangle's entries.
  (func (export "update") (param $out i32) (param $pa i32) (param $pb i32) (param $n i32) (param $L i32) (param $st i32)
    (local $w i32) (local $a i32) (local $b i32) (local $k i32) (local $p i32)
    (local $a0 i32) (local $a1 i32) (local $b0 i32) (local $b1 i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $x v128) (local $y0 v128) (local $y1 v128)
    (local $q0 v128) (local $q1 v128) (local $q2 v128) (local $q3 v128)
    (local $q4 v128) (local $q5 v128) (local $q6 v128) (local $q7 v128)
    (local.set $w (i32.shl (local.get $L) (i32.const 4))) ;; bytes per pair of panel rows: k runs over 0, 16, … < w, s = k/16
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $a) (local.get $n)))
        (local.set $a0 (i32.add (local.get $pa) (i32.mul (i32.shr_u (local.get $a) (i32.const 1)) (local.get $w))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $w)))
        (local.set $r0 (call $row (local.get $out) (local.get $a) (local.get $n) (local.get $st)))
        (local.set $r1 (call $row (local.get $out) (i32.add (local.get $a) (i32.const 1)) (local.get $n) (local.get $st)))
        (local.set $r2 (call $row (local.get $out) (i32.add (local.get $a) (i32.const 2)) (local.get $n) (local.get $st)))
        (local.set $r3 (call $row (local.get $out) (i32.add (local.get $a) (i32.const 3)) (local.get $n) (local.get $st)))
        (local.set $b (local.get $a))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $b) (local.get $n)))
            (local.set $b0 (i32.add (local.get $pb) (i32.mul (i32.shr_u (local.get $b) (i32.const 1)) (local.get $w))))
            (local.set $b1 (i32.add (local.get $b0) (local.get $w)))
            (local.set $q0 (v128.const f64x2 0 0))
            (local.set $q1 (v128.const f64x2 0 0))
            (local.set $q2 (v128.const f64x2 0 0))
            (local.set $q3 (v128.const f64x2 0 0))
            (local.set $q4 (v128.const f64x2 0 0))
            (local.set $q5 (v128.const f64x2 0 0))
            (local.set $q6 (v128.const f64x2 0 0))
            (local.set $q7 (v128.const f64x2 0 0))
            (local.set $k (i32.const 0))
            (loop $s ;; s = k/16 = 0 … L−1 (L ≥ 1): rows a, a+1 (a0), a+2, a+3 (a1) against pairs b (b0), b+2 (b1)
              (local.set $y0 (v128.load (i32.add (local.get $b0) (local.get $k))))
              (local.set $y1 (v128.load (i32.add (local.get $b1) (local.get $k))))
              (local.set $x (v128.load64_splat (i32.add (local.get $a0) (local.get $k))))
              (local.set $q0 (f64x2.add (local.get $q0) (f64x2.mul (local.get $x) (local.get $y0))))
              (local.set $q1 (f64x2.add (local.get $q1) (f64x2.mul (local.get $x) (local.get $y1))))
              (local.set $x (v128.load64_splat offset=8 (i32.add (local.get $a0) (local.get $k))))
              (local.set $q2 (f64x2.add (local.get $q2) (f64x2.mul (local.get $x) (local.get $y0))))
              (local.set $q3 (f64x2.add (local.get $q3) (f64x2.mul (local.get $x) (local.get $y1))))
              (local.set $x (v128.load64_splat (i32.add (local.get $a1) (local.get $k))))
              (local.set $q4 (f64x2.add (local.get $q4) (f64x2.mul (local.get $x) (local.get $y0))))
              (local.set $q5 (f64x2.add (local.get $q5) (f64x2.mul (local.get $x) (local.get $y1))))
              (local.set $x (v128.load64_splat offset=8 (i32.add (local.get $a1) (local.get $k))))
              (local.set $q6 (f64x2.add (local.get $q6) (f64x2.mul (local.get $x) (local.get $y0))))
              (local.set $q7 (f64x2.add (local.get $q7) (f64x2.mul (local.get $x) (local.get $y1))))
              (br_if $s (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $w))))
            (local.set $p (i32.shl (local.get $b) (i32.const 3)))
            (if (i32.and
                  (i32.ge_u (local.get $b) (i32.add (local.get $a) (i32.const 4)))
                  (i32.le_u (i32.add (local.get $b) (i32.const 4)) (local.get $n)))
              (then ;; the whole tile lies in the triangle: out = out + t, two entries per store
                (local.set $k (i32.add (local.get $r0) (local.get $p)))
                (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $q0)))
                (v128.store offset=16 (local.get $k) (f64x2.add (v128.load offset=16 (local.get $k)) (local.get $q1)))
                (local.set $k (i32.add (local.get $r1) (local.get $p)))
                (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $q2)))
                (v128.store offset=16 (local.get $k) (f64x2.add (v128.load offset=16 (local.get $k)) (local.get $q3)))
                (local.set $k (i32.add (local.get $r2) (local.get $p)))
                (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $q4)))
                (v128.store offset=16 (local.get $k) (f64x2.add (v128.load offset=16 (local.get $k)) (local.get $q5)))
                (local.set $k (i32.add (local.get $r3) (local.get $p)))
                (v128.store (local.get $k) (f64x2.add (v128.load (local.get $k)) (local.get $q6)))
                (v128.store offset=16 (local.get $k) (f64x2.add (v128.load offset=16 (local.get $k)) (local.get $q7))))
              (else ;; a diagonal tile, or one past the last column or row: entry by entry
                (local.set $k (i32.add (local.get $b) (i32.const 2)))
                (call $put (i32.add (local.get $r0) (local.get $p)) (local.get $q0)
                  (local.get $a) (local.get $b) (local.get $n) (local.get $st))
                (call $put (i32.add (i32.add (local.get $r0) (local.get $p)) (i32.const 16)) (local.get $q1)
                  (local.get $a) (local.get $k) (local.get $n) (local.get $st))
                (call $put (i32.add (local.get $r1) (local.get $p)) (local.get $q2)
                  (i32.add (local.get $a) (i32.const 1)) (local.get $b) (local.get $n) (local.get $st))
                (call $put (i32.add (i32.add (local.get $r1) (local.get $p)) (i32.const 16)) (local.get $q3)
                  (i32.add (local.get $a) (i32.const 1)) (local.get $k) (local.get $n) (local.get $st))
                (call $put (i32.add (local.get $r2) (local.get $p)) (local.get $q4)
                  (i32.add (local.get $a) (i32.const 2)) (local.get $b) (local.get $n) (local.get $st))
                (call $put (i32.add (i32.add (local.get $r2) (local.get $p)) (i32.const 16)) (local.get $q5)
                  (i32.add (local.get $a) (i32.const 2)) (local.get $k) (local.get $n) (local.get $st))
                (call $put (i32.add (local.get $r3) (local.get $p)) (local.get $q6)
                  (i32.add (local.get $a) (i32.const 3)) (local.get $b) (local.get $n) (local.get $st))
                (call $put (i32.add (i32.add (local.get $r3) (local.get $p)) (i32.const 16)) (local.get $q7)
                  (i32.add (local.get $a) (i32.const 3)) (local.get $k) (local.get $n) (local.get $st))))
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (br $cols)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (br $rows))))
)
