;; WR and WOR SGD on tanh-regression, fused: one chain, a whole block of steps per call (fused-block.ts drives it;
;; node tools/build-wasm.mjs writes fused-step-wasm.ts from this file).
;; Memory (bytes): 0 θ[7] f64 | 56 xoshiro128** s0..s3 i32 | 72 batch i32 (WOR: the position in the epoch) |
;; 80 x[M] f64 | 80+8M y[M] f64 | 80+16M order[M] i32 |
;; then, at offsets the caller passes: the step's m sample indices (i32), their m tanh pairs (v128, 16-aligned),
;; and θ after each step (7 f64 per step).
;; Every operation is the JS reference's, in its order: Xoshiro128.nextU32/nextInt, WithReplacementSampler.next or
;; WithoutReplacementSampler.next,
;; tanh (expm1(2 min(u, 20)) / (expm1(…) + 2), expm1 = V8's ieee754::expm1, i.e. fdlibm's), minibatchGradient, SGD.
(module
  (memory (export "memory") 1)

  ;; fdlibm expm1 as V8 ports it (src/base/ieee754.cc), statement for statement.
  (func $expm1 (param $x f64) (result f64)
    (local $hx i32) (local $xsb i32) (local $k i32) (local $hi f64) (local $lo f64) (local $c f64) (local $t f64)
    (local $e f64) (local $hfx f64) (local $hxs f64) (local $r1 f64) (local $twopk f64) (local $y f64)
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $xsb (i32.and (local.get $hx) (i32.const 0x80000000)))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x7fffffff)))
    ;; huge and non-finite arguments
    (if (i32.ge_u (local.get $hx) (i32.const 0x4043687A))
      (then
        (if (i32.ge_u (local.get $hx) (i32.const 0x40862E42))
          (then
            (if (i32.ge_u (local.get $hx) (i32.const 0x7FF00000))
              (then
                (if (i32.ne (i32.or (i32.and (local.get $hx) (i32.const 0xFFFFF))
                                    (i32.wrap_i64 (i64.reinterpret_f64 (local.get $x)))) (i32.const 0))
                  (then (return (f64.add (local.get $x) (local.get $x)))))
                (return (select (local.get $x) (f64.const -1) (i32.eqz (local.get $xsb))))))
            (if (f64.gt (local.get $x) (f64.const 7.09782712893383973096e+02))
              (then (return (f64.const inf))))))
        (if (local.get $xsb)
          (then
            (if (f64.lt (f64.add (local.get $x) (f64.const 1.0e-300)) (f64.const 0))
              (then (return (f64.sub (f64.const 1.0e-300) (f64.const 1)))))))))
    ;; argument reduction
    (if (i32.gt_u (local.get $hx) (i32.const 0x3FD62E42))
      (then
        (if (i32.lt_u (local.get $hx) (i32.const 0x3FF0A2B2))
          (then
            (if (i32.eqz (local.get $xsb))
              (then
                (local.set $hi (f64.sub (local.get $x) (f64.const 6.93147180369123816490e-01)))
                (local.set $lo (f64.const 1.90821492927058770002e-10))
                (local.set $k (i32.const 1)))
              (else
                (local.set $hi (f64.add (local.get $x) (f64.const 6.93147180369123816490e-01)))
                (local.set $lo (f64.const -1.90821492927058770002e-10))
                (local.set $k (i32.const -1)))))
          (else
            (local.set $k (i32.trunc_sat_f64_s
              (f64.add (f64.mul (f64.const 1.44269504088896338700e+00) (local.get $x))
                       (select (f64.const 0.5) (f64.const -0.5) (i32.eqz (local.get $xsb))))))
            (local.set $t (f64.convert_i32_s (local.get $k)))
            (local.set $hi (f64.sub (local.get $x) (f64.mul (local.get $t) (f64.const 6.93147180369123816490e-01))))
            (local.set $lo (f64.mul (local.get $t) (f64.const 1.90821492927058770002e-10)))))
        (local.set $x (f64.sub (local.get $hi) (local.get $lo)))
        (local.set $c (f64.sub (f64.sub (local.get $hi) (local.get $x)) (local.get $lo))))
      (else
        (if (i32.lt_u (local.get $hx) (i32.const 0x3C900000))
          (then
            (local.set $t (f64.add (f64.const 1.0e300) (local.get $x)))
            (return (f64.sub (local.get $x) (f64.sub (local.get $t) (f64.add (f64.const 1.0e300) (local.get $x)))))))
        (local.set $k (i32.const 0))))
    ;; x is now in the primary range
    (local.set $hfx (f64.mul (f64.const 0.5) (local.get $x)))
    (local.set $hxs (f64.mul (local.get $x) (local.get $hfx)))
    (local.set $r1 (f64.add (f64.const 1)
      (f64.mul (local.get $hxs) (f64.add (f64.const -3.33333333333331316428e-02)
      (f64.mul (local.get $hxs) (f64.add (f64.const 1.58730158725481460165e-03)
      (f64.mul (local.get $hxs) (f64.add (f64.const -7.93650757867487942473e-05)
      (f64.mul (local.get $hxs) (f64.add (f64.const 4.00821782732936239552e-06)
      (f64.mul (local.get $hxs) (f64.const -2.01099218183624371326e-07))))))))))))
    (local.set $t (f64.sub (f64.const 3) (f64.mul (local.get $r1) (local.get $hfx))))
    (local.set $e (f64.mul (local.get $hxs)
      (f64.div (f64.sub (local.get $r1) (local.get $t))
               (f64.sub (f64.const 6) (f64.mul (local.get $x) (local.get $t))))))
    (if (i32.eqz (local.get $k))
      (then (return (f64.sub (local.get $x) (f64.sub (f64.mul (local.get $x) (local.get $e)) (local.get $hxs))))))
    (local.set $twopk (f64.reinterpret_i64 (i64.shl
      (i64.extend_i32_u (i32.add (i32.const 0x3FF00000) (i32.shl (local.get $k) (i32.const 20)))) (i64.const 32))))
    (local.set $e (f64.sub (f64.mul (local.get $x) (f64.sub (local.get $e) (local.get $c))) (local.get $c)))
    (local.set $e (f64.sub (local.get $e) (local.get $hxs)))
    (if (i32.eq (local.get $k) (i32.const -1))
      (then (return (f64.sub (f64.mul (f64.const 0.5) (f64.sub (local.get $x) (local.get $e))) (f64.const 0.5)))))
    (if (i32.eq (local.get $k) (i32.const 1))
      (then
        (if (f64.lt (local.get $x) (f64.const -0.25))
          (then (return (f64.mul (f64.const -2) (f64.sub (local.get $e) (f64.add (local.get $x) (f64.const 0.5)))))))
        (return (f64.add (f64.const 1) (f64.mul (f64.const 2) (f64.sub (local.get $x) (local.get $e)))))))
    (if (i32.or (i32.le_s (local.get $k) (i32.const -2)) (i32.gt_s (local.get $k) (i32.const 56)))
      (then
        (local.set $y (f64.sub (f64.const 1) (f64.sub (local.get $e) (local.get $x))))
        (if (i32.eq (local.get $k) (i32.const 1024))
          (then (local.set $y (f64.mul (f64.mul (local.get $y) (f64.const 2)) (f64.const 8.98846567431158e+307))))
          (else (local.set $y (f64.mul (local.get $y) (local.get $twopk)))))
        (return (f64.sub (local.get $y) (f64.const 1)))))
    (if (i32.lt_s (local.get $k) (i32.const 20))
      (then
        (local.set $t (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
          (i32.sub (i32.const 0x3FF00000) (i32.shr_s (i32.const 0x200000) (local.get $k)))) (i64.const 32))))
        (local.set $y (f64.sub (local.get $t) (f64.sub (local.get $e) (local.get $x))))
        (local.set $y (f64.mul (local.get $y) (local.get $twopk))))
      (else
        (local.set $t (f64.reinterpret_i64 (i64.shl (i64.extend_i32_u
          (i32.shl (i32.sub (i32.const 0x3FF) (local.get $k)) (i32.const 20))) (i64.const 32))))
        (local.set $y (f64.sub (local.get $x) (f64.add (local.get $e) (local.get $t))))
        (local.set $y (f64.add (local.get $y) (f64.const 1)))
        (local.set $y (f64.mul (local.get $y) (local.get $twopk)))))
    (local.get $y))

  (func (export "expm1") (param $x f64) (result f64) (call $expm1 (local.get $x)))

  ;; tanh(u) = e/(e + 2), e = expm1(2 min(u, 20)) (tanh-regression.ts)
  (func $tanh (param $u f64) (result f64) (local $e f64)
    (local.set $e (call $expm1 (f64.mul (f64.const 2) (f64.min (local.get $u) (f64.const 20)))))
    (f64.div (local.get $e) (f64.add (local.get $e) (f64.const 2))))

  (func (export "tanh") (param $u f64) (result f64) (call $tanh (local.get $u)))

  ;; expm1 on both lanes, branch-free: every case of fdlibm's final step is computed and the lane's own is selected;
  ;; each lane's bits are the scalar $expm1's. Lanes with |x| ≥ 56 ln2, non-finite or |x| < 2^-54 go to $expm1.
  (func $expm1x2 (param $x v128) (result v128)
    (local $hx v128) (local $neg v128) (local $tk v128) (local $hi v128) (local $lo v128) (local $xr v128) (local $c v128)
    (local $hfx v128) (local $hxs v128) (local $r1 v128) (local $t v128) (local $e v128) (local $e2 v128)
    (local $ki v128) (local $twopk v128) (local $twomk v128) (local $res v128)
    (local.set $hx (v128.and (i64x2.shr_u (local.get $x) (i32.const 32)) (v128.const i64x2 0x7fffffff 0x7fffffff)))
    (if (v128.any_true (v128.or
          (i64x2.ge_s (local.get $hx) (v128.const i64x2 0x4043687A 0x4043687A))
          (i64x2.lt_s (local.get $hx) (v128.const i64x2 0x3C900000 0x3C900000))))
      (then
        (return (f64x2.replace_lane 1
          (f64x2.splat (call $expm1 (f64x2.extract_lane 0 (local.get $x))))
          (call $expm1 (f64x2.extract_lane 1 (local.get $x)))))))
    (local.set $neg (i64x2.lt_s (local.get $x) (v128.const i64x2 0 0)))
    ;; k: 0 for |x| ≤ 0.5 ln2 (by the high word), ±1 below 1.5 ln2, else trunc(x/ln2 ± 0.5); tk = k as a double
    (local.set $tk (f64x2.trunc (f64x2.add (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00) (local.get $x))
      (v128.bitselect (v128.const f64x2 -0.5 -0.5) (v128.const f64x2 0.5 0.5) (local.get $neg)))))
    (local.set $tk (v128.bitselect
      (v128.bitselect (v128.const f64x2 -1 -1) (v128.const f64x2 1 1) (local.get $neg))
      (local.get $tk)
      (i64x2.lt_s (local.get $hx) (v128.const i64x2 0x3FF0A2B2 0x3FF0A2B2))))
    (local.set $tk (v128.and (local.get $tk)
      (i64x2.gt_s (local.get $hx) (v128.const i64x2 0x3FD62E42 0x3FD62E42))))
    (local.set $hi (f64x2.sub (local.get $x) (f64x2.mul (local.get $tk) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
    (local.set $lo (f64x2.mul (local.get $tk) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
    (local.set $xr (f64x2.sub (local.get $hi) (local.get $lo)))
    (local.set $c (f64x2.sub (f64x2.sub (local.get $hi) (local.get $xr)) (local.get $lo)))
    (local.set $hfx (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $xr)))
    (local.set $hxs (f64x2.mul (local.get $xr) (local.get $hfx)))
    (local.set $r1 (f64x2.add (v128.const f64x2 1 1)
      (f64x2.mul (local.get $hxs) (f64x2.add (v128.const f64x2 -3.33333333333331316428e-02 -3.33333333333331316428e-02)
      (f64x2.mul (local.get $hxs) (f64x2.add (v128.const f64x2 1.58730158725481460165e-03 1.58730158725481460165e-03)
      (f64x2.mul (local.get $hxs) (f64x2.add (v128.const f64x2 -7.93650757867487942473e-05 -7.93650757867487942473e-05)
      (f64x2.mul (local.get $hxs) (f64x2.add (v128.const f64x2 4.00821782732936239552e-06 4.00821782732936239552e-06)
      (f64x2.mul (local.get $hxs) (v128.const f64x2 -2.01099218183624371326e-07 -2.01099218183624371326e-07))))))))))))
    (local.set $t (f64x2.sub (v128.const f64x2 3 3) (f64x2.mul (local.get $r1) (local.get $hfx))))
    (local.set $e (f64x2.mul (local.get $hxs)
      (f64x2.div (f64x2.sub (local.get $r1) (local.get $t))
                 (f64x2.sub (v128.const f64x2 6 6) (f64x2.mul (local.get $xr) (local.get $t))))))
    (local.set $e2 (f64x2.sub (f64x2.sub (f64x2.mul (local.get $xr) (f64x2.sub (local.get $e) (local.get $c))) (local.get $c)) (local.get $hxs)))
    ;; 2^k and 2^−k from k's bits
    (local.set $ki (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $tk))) (i32.const 52)))
    (local.set $twopk (i64x2.add (local.get $ki) (v128.const i64x2 0x3FF0000000000000 0x3FF0000000000000)))
    (local.set $twomk (i64x2.sub (v128.const i64x2 0x3FF0000000000000 0x3FF0000000000000) (local.get $ki)))
    ;; 20 ≤ k ≤ 56: 2^k (1 − ((e − x) + 2^−k))... as fdlibm: (x − (e + 2^−k)) + 1, times 2^k
    (local.set $res (f64x2.mul (f64x2.add (f64x2.sub (local.get $xr) (f64x2.add (local.get $e2) (local.get $twomk))) (v128.const f64x2 1 1)) (local.get $twopk)))
    ;; 2 ≤ k < 20: ((1 − 2^−k) − (e − x)) 2^k
    (local.set $res (v128.bitselect
      (f64x2.mul (f64x2.sub (f64x2.sub (v128.const f64x2 1 1) (local.get $twomk)) (f64x2.sub (local.get $e2) (local.get $xr))) (local.get $twopk))
      (local.get $res) (f64x2.lt (local.get $tk) (v128.const f64x2 20 20))))
    ;; k ≤ −2 or k > 56: (1 − (e − x)) 2^k − 1
    (local.set $res (v128.bitselect
      (f64x2.sub (f64x2.mul (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub (local.get $e2) (local.get $xr))) (local.get $twopk)) (v128.const f64x2 1 1))
      (local.get $res)
      (v128.or (f64x2.le (local.get $tk) (v128.const f64x2 -2 -2)) (f64x2.gt (local.get $tk) (v128.const f64x2 56 56)))))
    ;; k = 1
    (local.set $res (v128.bitselect
      (v128.bitselect
        (f64x2.mul (v128.const f64x2 -2 -2) (f64x2.sub (local.get $e2) (f64x2.add (local.get $xr) (v128.const f64x2 0.5 0.5))))
        (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (local.get $xr) (local.get $e2))))
        (f64x2.lt (local.get $xr) (v128.const f64x2 -0.25 -0.25)))
      (local.get $res) (f64x2.eq (local.get $tk) (v128.const f64x2 1 1))))
    ;; k = −1
    (local.set $res (v128.bitselect
      (f64x2.sub (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.sub (local.get $xr) (local.get $e2))) (v128.const f64x2 0.5 0.5))
      (local.get $res) (f64x2.eq (local.get $tk) (v128.const f64x2 -1 -1))))
    ;; k = 0
    (v128.bitselect
      (f64x2.sub (local.get $xr) (f64x2.sub (f64x2.mul (local.get $xr) (local.get $e)) (local.get $hxs)))
      (local.get $res) (f64x2.eq (local.get $tk) (v128.const f64x2 0 0))))

  ;; For tests: lane 0 of $expm1x2((a, b)) (swap a and b for lane 1).
  (func (export "expm1x2") (param $a f64) (param $b f64) (result f64)
    (f64x2.extract_lane 0 (call $expm1x2 (f64x2.replace_lane 1 (f64x2.splat (local.get $a)) (local.get $b)))))

  ;; `steps` SGD steps of the chain in memory; s = −(M/ε²)/m, l2 = 2λ, eta = η as the JS path computes them.
  ;; wor = 0: WR minibatches (Sampler.draw 'partial-fisher-yates'), written to pk; wor = 1: WOR minibatches
  ;; ('epoch-permutation', `epoch` = n = ⌊M/m⌋ batches per epoch), read in place from the order at batch·m.
  ;; θ is kept as A = (θ₁, θ₂), B = (θ₃, θ₄), C = (θ₅, θ₆), d = θ₇: lane k holds hidden unit k. Each step has three
  ;; loops: draw the m indices (the sampler's loop), the m tanh pairs (independent, so the CPU overlaps them), then
  ;; the sums in the sample order of minibatchGradient.
  (func (export "run") (param $steps i32) (param $M i32) (param $m i32) (param $s f64) (param $l2 f64) (param $eta f64)
    (param $pk i32) (param $tv i32) (param $out i32) (param $wor i32) (param $epoch i32)
    (local $A v128) (local $B v128) (local $C v128) (local $d f64) (local $gA v128) (local $gB v128) (local $gC v128)
    (local $gd f64) (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $u i32) (local $p i64)
    (local $n i32) (local $thr i32) (local $j i32) (local $i i32) (local $pick i32) (local $yOff i32) (local $ord i32)
    (local $xi f64) (local $X v128) (local $T v128) (local $CT v128) (local $E v128) (local $r f64) (local $R v128)
    (local $Q v128) (local $sr f64) (local $SRT v128) (local $SQ v128) (local $SQX v128) (local $batch i32)
    (local $picks i32) (local $t i32)
    (local.set $yOff (i32.add (i32.const 80) (i32.shl (local.get $M) (i32.const 3))))
    (local.set $ord (i32.add (i32.const 80) (i32.shl (local.get $M) (i32.const 4))))
    (local.set $A (v128.load offset=0 (i32.const 0)))
    (local.set $B (v128.load offset=16 (i32.const 0)))
    (local.set $C (v128.load offset=32 (i32.const 0)))
    (local.set $d (f64.load offset=48 (i32.const 0)))
    (local.set $s0 (i32.load offset=56 (i32.const 0)))
    (local.set $s1 (i32.load offset=60 (i32.const 0)))
    (local.set $s2 (i32.load offset=64 (i32.const 0)))
    (local.set $s3 (i32.load offset=68 (i32.const 0)))
    (local.set $batch (i32.load offset=72 (i32.const 0)))
    (local.set $picks (local.get $pk))
    (block $done (loop $step
      (br_if $done (i32.le_s (local.get $steps) (i32.const 0)))
      (if (local.get $wor)
        (then
          ;; 1. WOR: at the epoch's end, for i = M − 1 … 1, j = nextInt(i + 1), swap order[i] and order[j]; then the
          ;; minibatch is order[batch·m … batch·m + m)
          (if (i32.eq (local.get $batch) (local.get $epoch))
            (then
              (local.set $i (i32.sub (local.get $M) (i32.const 1)))
              (block $shuffled (loop $shuffle
                (br_if $shuffled (i32.le_s (local.get $i) (i32.const 0)))
                (local.set $n (i32.add (local.get $i) (i32.const 1)))
                (local.set $thr (i32.const -1))
                (loop $draw
                  ;; nextU32 and Lemire's rejection, as below
                  (local.set $u (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
                  (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
                  (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
                  (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
                  (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
                  (local.set $s2 (i32.xor (local.get $s2) (i32.shl (i32.xor (local.get $s1) (local.get $s2)) (i32.const 9))))
                  (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
                  (local.set $p (i64.mul (i64.extend_i32_u (local.get $u)) (i64.extend_i32_u (local.get $n))))
                  (if (i32.lt_u (i32.wrap_i64 (local.get $p)) (local.get $n))
                    (then
                      (if (i32.eq (local.get $thr) (i32.const -1))
                        (then (local.set $thr (i32.rem_u (i32.sub (i32.const 0) (local.get $n)) (local.get $n)))))
                      (br_if $draw (i32.lt_u (i32.wrap_i64 (local.get $p)) (local.get $thr))))))
                (local.set $j (i32.wrap_i64 (i64.shr_u (local.get $p) (i64.const 32))))
                (local.set $t (i32.load (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2)))))
                (i32.store (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2)))
                           (i32.load (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))))
                (i32.store (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2))) (local.get $t))
                (local.set $i (i32.sub (local.get $i) (i32.const 1)))
                (br $shuffle)))
              (local.set $batch (i32.const 0))))
          (local.set $picks (i32.add (local.get $ord) (i32.shl (i32.mul (local.get $batch) (local.get $m)) (i32.const 2))))
          (local.set $batch (i32.add (local.get $batch) (i32.const 1))))
        (else
          ;; 1. WR: for i < m, j = i + nextInt(M − i), swap order[i] and order[j], sample i is order[i]
          (local.set $i (i32.const 0))
          (loop $draws
            (local.set $n (i32.sub (local.get $M) (local.get $i)))
            (local.set $thr (i32.const -1))
            (loop $draw
              ;; u = nextU32() (xoshiro128**), then Lemire: u·n = 2³²·hi + lo, redrawn while lo < (2³² − n) mod n
              (local.set $u (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
              (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
              (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
              (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
              (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
              (local.set $s2 (i32.xor (local.get $s2) (i32.shl (i32.xor (local.get $s1) (local.get $s2)) (i32.const 9))))
              (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
              (local.set $p (i64.mul (i64.extend_i32_u (local.get $u)) (i64.extend_i32_u (local.get $n))))
              (if (i32.lt_u (i32.wrap_i64 (local.get $p)) (local.get $n))
                (then
                  (if (i32.eq (local.get $thr) (i32.const -1))
                    (then (local.set $thr (i32.rem_u (i32.sub (i32.const 0) (local.get $n)) (local.get $n)))))
                  (br_if $draw (i32.lt_u (i32.wrap_i64 (local.get $p)) (local.get $thr))))))
            (local.set $j (i32.add (local.get $i) (i32.wrap_i64 (i64.shr_u (local.get $p) (i64.const 32)))))
            (local.set $pick (i32.load (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))))
            (i32.store (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))
                       (i32.load (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2)))))
            (i32.store (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2))) (local.get $pick))
            (i32.store (i32.add (local.get $pk) (i32.shl (local.get $i) (i32.const 2))) (local.get $pick))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $draws (i32.lt_u (local.get $i) (local.get $m))))))
      ;; 2. (t₁, t₂) = tanh(A x + B) of every sample: e/(e + 2), e = expm1(2 min(u, 20)); pmin(u, 20) = 20 < u ? 20 : u is
      ;; Math.min(u, 20) for every u (NaN stays NaN, −0 stays −0) in one instruction, where f64x2.min's NaN and ±0
      ;; rules cost several (≈ 5 % of the step)
      (local.set $i (i32.const 0))
      (loop $tanhs
        (local.set $X (f64x2.splat (f64.load offset=80 (i32.shl
          (i32.load (i32.add (local.get $picks) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 3)))))
        (local.set $E (call $expm1x2 (f64x2.mul (v128.const f64x2 2 2)
          (f64x2.pmin (f64x2.add (f64x2.mul (local.get $A) (local.get $X)) (local.get $B)) (v128.const f64x2 20 20)))))
        (v128.store (i32.add (local.get $tv) (i32.shl (local.get $i) (i32.const 4)))
          (f64x2.div (local.get $E) (f64x2.add (local.get $E) (v128.const f64x2 2 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $tanhs (i32.lt_u (local.get $i) (local.get $m))))
      ;; 3. r = y − (c₁t₁ + c₂t₂ + d), q = r(1 − t²); Σr, Σrt, Σq, Σqx in sample order
      (local.set $sr (f64.const 0))
      (local.set $SRT (v128.const i64x2 0 0))
      (local.set $SQ (v128.const i64x2 0 0))
      (local.set $SQX (v128.const i64x2 0 0))
      (local.set $i (i32.const 0))
      (loop $sums
        (local.set $pick (i32.load (i32.add (local.get $picks) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $xi (f64.load offset=80 (i32.shl (local.get $pick) (i32.const 3))))
        (local.set $X (f64x2.splat (local.get $xi)))
        (local.set $T (v128.load (i32.add (local.get $tv) (i32.shl (local.get $i) (i32.const 4)))))
        (local.set $CT (f64x2.mul (local.get $C) (local.get $T)))
        (local.set $r (f64.sub (f64.load (i32.add (local.get $yOff) (i32.shl (local.get $pick) (i32.const 3))))
          (f64.add (f64.add (f64x2.extract_lane 0 (local.get $CT)) (f64x2.extract_lane 1 (local.get $CT))) (local.get $d))))
        (local.set $R (f64x2.splat (local.get $r)))
        (local.set $Q (f64x2.mul (local.get $R) (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $T) (local.get $T)))))
        (local.set $sr (f64.add (local.get $sr) (local.get $r)))
        (local.set $SRT (f64x2.add (local.get $SRT) (f64x2.mul (local.get $R) (local.get $T))))
        (local.set $SQ (f64x2.add (local.get $SQ) (local.get $Q)))
        (local.set $SQX (f64x2.add (local.get $SQX) (f64x2.mul (local.get $Q) (local.get $X))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $sums (i32.lt_u (local.get $i) (local.get $m))))
      ;; 4. g = s·(c Σqx, c Σq, Σrt, Σr) + 2λθ, all from this step's θ; then θ ← θ − η g
      (local.set $gA (f64x2.add (f64x2.mul (f64x2.mul (f64x2.splat (local.get $s)) (local.get $C)) (local.get $SQX))
                                (f64x2.mul (f64x2.splat (local.get $l2)) (local.get $A))))
      (local.set $gB (f64x2.add (f64x2.mul (f64x2.mul (f64x2.splat (local.get $s)) (local.get $C)) (local.get $SQ))
                                (f64x2.mul (f64x2.splat (local.get $l2)) (local.get $B))))
      (local.set $gC (f64x2.add (f64x2.mul (f64x2.splat (local.get $s)) (local.get $SRT))
                                (f64x2.mul (f64x2.splat (local.get $l2)) (local.get $C))))
      (local.set $gd (f64.add (f64.mul (local.get $s) (local.get $sr)) (f64.mul (local.get $l2) (local.get $d))))
      (local.set $A (f64x2.sub (local.get $A) (f64x2.mul (f64x2.splat (local.get $eta)) (local.get $gA))))
      (local.set $B (f64x2.sub (local.get $B) (f64x2.mul (f64x2.splat (local.get $eta)) (local.get $gB))))
      (local.set $C (f64x2.sub (local.get $C) (f64x2.mul (f64x2.splat (local.get $eta)) (local.get $gC))))
      (local.set $d (f64.sub (local.get $d) (f64.mul (local.get $eta) (local.get $gd))))
      (v128.store offset=0 (local.get $out) (local.get $A))
      (v128.store offset=16 (local.get $out) (local.get $B))
      (v128.store offset=32 (local.get $out) (local.get $C))
      (f64.store offset=48 (local.get $out) (local.get $d))
      (local.set $out (i32.add (local.get $out) (i32.const 56)))
      (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
      (br $step)))
    (v128.store offset=0 (i32.const 0) (local.get $A))
    (v128.store offset=16 (i32.const 0) (local.get $B))
    (v128.store offset=32 (i32.const 0) (local.get $C))
    (f64.store offset=48 (i32.const 0) (local.get $d))
    (i32.store offset=56 (i32.const 0) (local.get $s0))
    (i32.store offset=60 (i32.const 0) (local.get $s1))
    (i32.store offset=64 (i32.const 0) (local.get $s2))
    (i32.store offset=68 (i32.const 0) (local.get $s3))
    (i32.store offset=72 (i32.const 0) (local.get $batch)))
)
