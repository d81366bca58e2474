;; WR SGD on tanh-regression, fused: one chain, a whole block of steps per call (see fused-step.ts).
;; Memory (bytes): 0 θ[7] f64 | 56 xoshiro128** s0..s3 i32 | 80 x[M] f64 | 80+8M y[M] f64 | 80+16M order[M] i32 |
;; out = 80+20M rounded up to 8: θ after each step, 7 f64 per step.
;; Every operation is the JS reference's, in its order: Xoshiro128.nextU32/nextInt, WithReplacementSampler.next,
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

  ;; `steps` WR SGD steps of the chain in memory: s = −(M/ε²)/m, l2 = 2λ, eta = η (as the JS path computes them).
  (func (export "run_scalar") (param $steps i32) (param $M i32) (param $m i32) (param $s f64) (param $l2 f64) (param $eta f64)
    (local $a1 f64) (local $a2 f64) (local $b1 f64) (local $b2 f64) (local $c1 f64) (local $c2 f64) (local $d f64)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $u i32) (local $p i64) (local $n i32)
    (local $thr i32) (local $j i32) (local $i i32) (local $pick i32) (local $yOff i32) (local $ord i32) (local $out i32)
    (local $xi f64) (local $t1 f64) (local $t2 f64) (local $r f64) (local $q1 f64) (local $q2 f64)
    (local $sr f64) (local $srt1 f64) (local $srt2 f64) (local $sq1 f64) (local $sq2 f64) (local $sq1x f64) (local $sq2x f64)
    (local.set $yOff (i32.add (i32.const 80) (i32.shl (local.get $M) (i32.const 3))))
    (local.set $ord (i32.add (i32.const 80) (i32.shl (local.get $M) (i32.const 4))))
    (local.set $out (i32.and (i32.add (i32.add (local.get $ord) (i32.shl (local.get $M) (i32.const 2))) (i32.const 7)) (i32.const -8)))
    (local.set $a1 (f64.load offset=0 (i32.const 0)))
    (local.set $a2 (f64.load offset=8 (i32.const 0)))
    (local.set $b1 (f64.load offset=16 (i32.const 0)))
    (local.set $b2 (f64.load offset=24 (i32.const 0)))
    (local.set $c1 (f64.load offset=32 (i32.const 0)))
    (local.set $c2 (f64.load offset=40 (i32.const 0)))
    (local.set $d (f64.load offset=48 (i32.const 0)))
    (local.set $s0 (i32.load offset=56 (i32.const 0)))
    (local.set $s1 (i32.load offset=60 (i32.const 0)))
    (local.set $s2 (i32.load offset=64 (i32.const 0)))
    (local.set $s3 (i32.load offset=68 (i32.const 0)))
    (block $done (loop $step
      (br_if $done (i32.le_s (local.get $steps) (i32.const 0)))
      (local.set $sr (f64.const 0)) (local.set $srt1 (f64.const 0)) (local.set $srt2 (f64.const 0))
      (local.set $sq1 (f64.const 0)) (local.set $sq2 (f64.const 0)) (local.set $sq1x (f64.const 0)) (local.set $sq2x (f64.const 0))
      (local.set $i (i32.const 0))
      (loop $sample
        ;; j = i + nextInt(M − i): Lemire's multiply-and-reject on u·n (u = nextU32)
        (local.set $n (i32.sub (local.get $M) (local.get $i)))
        (local.set $thr (i32.const -1))
        (loop $draw
          ;; nextU32 (xoshiro128**)
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
        ;; partial Fisher–Yates: swap order[i], order[j]; the sample is order[i]
        (local.set $pick (i32.load (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))))
        (i32.store (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))
                   (i32.load (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2)))))
        (i32.store (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2))) (local.get $pick))
        ;; the sample's terms
        (local.set $xi (f64.load offset=80 (i32.shl (local.get $pick) (i32.const 3))))
        (local.set $t1 (call $tanh (f64.add (f64.mul (local.get $a1) (local.get $xi)) (local.get $b1))))
        (local.set $t2 (call $tanh (f64.add (f64.mul (local.get $a2) (local.get $xi)) (local.get $b2))))
        (local.set $r (f64.sub (f64.load (i32.add (local.get $yOff) (i32.shl (local.get $pick) (i32.const 3))))
          (f64.add (f64.add (f64.mul (local.get $c1) (local.get $t1)) (f64.mul (local.get $c2) (local.get $t2))) (local.get $d))))
        (local.set $q1 (f64.mul (local.get $r) (f64.sub (f64.const 1) (f64.mul (local.get $t1) (local.get $t1)))))
        (local.set $q2 (f64.mul (local.get $r) (f64.sub (f64.const 1) (f64.mul (local.get $t2) (local.get $t2)))))
        (local.set $sr (f64.add (local.get $sr) (local.get $r)))
        (local.set $srt1 (f64.add (local.get $srt1) (f64.mul (local.get $r) (local.get $t1))))
        (local.set $srt2 (f64.add (local.get $srt2) (f64.mul (local.get $r) (local.get $t2))))
        (local.set $sq1 (f64.add (local.get $sq1) (local.get $q1)))
        (local.set $sq2 (f64.add (local.get $sq2) (local.get $q2)))
        (local.set $sq1x (f64.add (local.get $sq1x) (f64.mul (local.get $q1) (local.get $xi))))
        (local.set $sq2x (f64.add (local.get $sq2x) (f64.mul (local.get $q2) (local.get $xi))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $sample (i32.lt_u (local.get $i) (local.get $m))))
      ;; θ ← θ − η(s·c·Σ… + 2λθ), in the JS path's order
      (local.set $a1 (f64.sub (local.get $a1) (f64.mul (local.get $eta)
        (f64.add (f64.mul (f64.mul (local.get $s) (local.get $c1)) (local.get $sq1x)) (f64.mul (local.get $l2) (local.get $a1))))))
      (local.set $a2 (f64.sub (local.get $a2) (f64.mul (local.get $eta)
        (f64.add (f64.mul (f64.mul (local.get $s) (local.get $c2)) (local.get $sq2x)) (f64.mul (local.get $l2) (local.get $a2))))))
      (local.set $b1 (f64.sub (local.get $b1) (f64.mul (local.get $eta)
        (f64.add (f64.mul (f64.mul (local.get $s) (local.get $c1)) (local.get $sq1)) (f64.mul (local.get $l2) (local.get $b1))))))
      (local.set $b2 (f64.sub (local.get $b2) (f64.mul (local.get $eta)
        (f64.add (f64.mul (f64.mul (local.get $s) (local.get $c2)) (local.get $sq2)) (f64.mul (local.get $l2) (local.get $b2))))))
      (local.set $c1 (f64.sub (local.get $c1) (f64.mul (local.get $eta)
        (f64.add (f64.mul (local.get $s) (local.get $srt1)) (f64.mul (local.get $l2) (local.get $c1))))))
      (local.set $c2 (f64.sub (local.get $c2) (f64.mul (local.get $eta)
        (f64.add (f64.mul (local.get $s) (local.get $srt2)) (f64.mul (local.get $l2) (local.get $c2))))))
      (local.set $d (f64.sub (local.get $d) (f64.mul (local.get $eta)
        (f64.add (f64.mul (local.get $s) (local.get $sr)) (f64.mul (local.get $l2) (local.get $d))))))
      (f64.store offset=0 (local.get $out) (local.get $a1))
      (f64.store offset=8 (local.get $out) (local.get $a2))
      (f64.store offset=16 (local.get $out) (local.get $b1))
      (f64.store offset=24 (local.get $out) (local.get $b2))
      (f64.store offset=32 (local.get $out) (local.get $c1))
      (f64.store offset=40 (local.get $out) (local.get $c2))
      (f64.store offset=48 (local.get $out) (local.get $d))
      (local.set $out (i32.add (local.get $out) (i32.const 56)))
      (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
      (br $step)))
    (f64.store offset=0 (i32.const 0) (local.get $a1))
    (f64.store offset=8 (i32.const 0) (local.get $a2))
    (f64.store offset=16 (i32.const 0) (local.get $b1))
    (f64.store offset=24 (i32.const 0) (local.get $b2))
    (f64.store offset=32 (i32.const 0) (local.get $c1))
    (f64.store offset=40 (i32.const 0) (local.get $c2))
    (f64.store offset=48 (i32.const 0) (local.get $d))
    (i32.store offset=56 (i32.const 0) (local.get $s0))
    (i32.store offset=60 (i32.const 0) (local.get $s1))
    (i32.store offset=64 (i32.const 0) (local.get $s2))
    (i32.store offset=68 (i32.const 0) (local.get $s3)))
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

  (func (export "expm1x2") (param $a f64) (param $b f64) (result f64)
    ;; test hook: lane 0 of expm1x2((a, b)) + 0 … returns lane 0; call twice with swapped args for lane 1
    (f64x2.extract_lane 0 (call $expm1x2 (f64x2.replace_lane 1 (f64x2.splat (local.get $a)) (local.get $b)))))

  ;; tanh on both lanes
  (func $tanhx2 (param $u v128) (result v128) (local $e v128)
    (local.set $e (call $expm1x2 (f64x2.mul (v128.const f64x2 2 2) (f64x2.min (local.get $u) (v128.const f64x2 20 20)))))
    (f64x2.div (local.get $e) (f64x2.add (local.get $e) (v128.const f64x2 2 2))))

  ;; As "run", the two hidden units in the two lanes: A = (θ₁, θ₂), B = (θ₃, θ₄), C = (θ₅, θ₆), d = θ₇.
  (func (export "run") (param $steps i32) (param $M i32) (param $m i32) (param $s f64) (param $l2 f64) (param $eta f64)
    (local $A v128) (local $B v128) (local $C v128) (local $d f64) (local $gA v128) (local $gB v128) (local $gC v128) (local $gd f64)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $u i32) (local $p i64) (local $n i32)
    (local $thr i32) (local $j i32) (local $i i32) (local $pick i32) (local $yOff i32) (local $ord i32) (local $out i32)
    (local $xi f64) (local $X v128) (local $T v128) (local $CT v128) (local $r f64) (local $R v128) (local $Q v128)
    (local $sr f64) (local $i1 i32) (local $pick0 i32) (local $pick1 i32) (local $xi0 f64) (local $xi1 f64) (local $X0 v128) (local $X1 v128) (local $T0 v128) (local $T1 v128) (local $EE0 v128) (local $EE1 v128) (local $P_hx v128) (local $P_neg v128) (local $P_tk v128) (local $P_hi v128) (local $P_lo v128) (local $P_xr v128) (local $P_c v128) (local $P_hfx v128) (local $P_hxs v128) (local $P_r1 v128) (local $P_t v128) (local $P_e v128) (local $P_e2 v128) (local $P_ki v128) (local $P_twopk v128) (local $P_twomk v128) (local $P_res v128) (local $P_x v128) (local $Q_hx v128) (local $Q_neg v128) (local $Q_tk v128) (local $Q_hi v128) (local $Q_lo v128) (local $Q_xr v128) (local $Q_c v128) (local $Q_hfx v128) (local $Q_hxs v128) (local $Q_r1 v128) (local $Q_t v128) (local $Q_e v128) (local $Q_e2 v128) (local $Q_ki v128) (local $Q_twopk v128) (local $Q_twomk v128) (local $Q_res v128) (local $Q_x v128) (local $SRT v128) (local $SQ v128) (local $SQX v128)
    (local.set $yOff (i32.add (i32.const 80) (i32.shl (local.get $M) (i32.const 3))))
    (local.set $ord (i32.add (i32.const 80) (i32.shl (local.get $M) (i32.const 4))))
    (local.set $out (i32.and (i32.add (i32.add (local.get $ord) (i32.shl (local.get $M) (i32.const 2))) (i32.const 7)) (i32.const -8)))
    (local.set $A (v128.load offset=0 (i32.const 0)))
    (local.set $B (v128.load offset=16 (i32.const 0)))
    (local.set $C (v128.load offset=32 (i32.const 0)))
    (local.set $d (f64.load offset=48 (i32.const 0)))
    (local.set $s0 (i32.load offset=56 (i32.const 0)))
    (local.set $s1 (i32.load offset=60 (i32.const 0)))
    (local.set $s2 (i32.load offset=64 (i32.const 0)))
    (local.set $s3 (i32.load offset=68 (i32.const 0)))
    (block $done (loop $step
      (br_if $done (i32.le_s (local.get $steps) (i32.const 0)))
      (local.set $sr (f64.const 0)) (local.set $SRT (v128.const i64x2 0 0))
      (local.set $SQ (v128.const i64x2 0 0)) (local.set $SQX (v128.const i64x2 0 0))
      (local.set $i (i32.const 0))
      (block $pairs (loop $sample
        (br_if $pairs (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $m)))
        (local.set $i1 (i32.add (local.get $i) (i32.const 1)))
        (local.set $n (i32.sub (local.get $M) (local.get $i)))
        (local.set $thr (i32.const -1))
        (loop $draw
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
        (local.set $pick0 (i32.load (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))))
        (i32.store (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))
                   (i32.load (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2)))))
        (i32.store (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2))) (local.get $pick0))
        (local.set $n (i32.sub (local.get $M) (local.get $i1)))
        (local.set $thr (i32.const -1))
        (loop $draw
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
        (local.set $j (i32.add (local.get $i1) (i32.wrap_i64 (i64.shr_u (local.get $p) (i64.const 32)))))
        (local.set $pick1 (i32.load (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))))
        (i32.store (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))
                   (i32.load (i32.add (local.get $ord) (i32.shl (local.get $i1) (i32.const 2)))))
        (i32.store (i32.add (local.get $ord) (i32.shl (local.get $i1) (i32.const 2))) (local.get $pick1))
        
        (local.set $xi0 (f64.load offset=80 (i32.shl (local.get $pick0) (i32.const 3))))
        (local.set $X0 (f64x2.splat (local.get $xi0)))
        (local.set $xi1 (f64.load offset=80 (i32.shl (local.get $pick1) (i32.const 3))))
        (local.set $X1 (f64x2.splat (local.get $xi1)))
        (local.set $P_x (f64x2.mul (v128.const f64x2 2 2) (f64x2.min (f64x2.add (f64x2.mul (local.get $A) (local.get $X0)) (local.get $B)) (v128.const f64x2 20 20))))
        (local.set $EE0 (block $exP (result v128) (local.set $P_hx (v128.and (i64x2.shr_u (local.get $P_x) (i32.const 32)) (v128.const i64x2 0x7fffffff 0x7fffffff)))
    (if (v128.any_true (v128.or
          (i64x2.ge_s (local.get $P_hx) (v128.const i64x2 0x4043687A 0x4043687A))
          (i64x2.lt_s (local.get $P_hx) (v128.const i64x2 0x3C900000 0x3C900000))))
      (then
        (br $exP (f64x2.replace_lane 1
          (f64x2.splat (call $expm1 (f64x2.extract_lane 0 (local.get $P_x))))
          (call $expm1 (f64x2.extract_lane 1 (local.get $P_x)))))))
    (local.set $P_neg (i64x2.lt_s (local.get $P_x) (v128.const i64x2 0 0)))
    ;; k: 0 for |x| ≤ 0.5 ln2 (by the high word), ±1 below 1.5 ln2, else trunc(x/ln2 ± 0.5); tk = k as a double
    (local.set $P_tk (f64x2.trunc (f64x2.add (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00) (local.get $P_x))
      (v128.bitselect (v128.const f64x2 -0.5 -0.5) (v128.const f64x2 0.5 0.5) (local.get $P_neg)))))
    (local.set $P_tk (v128.bitselect
      (v128.bitselect (v128.const f64x2 -1 -1) (v128.const f64x2 1 1) (local.get $P_neg))
      (local.get $P_tk)
      (i64x2.lt_s (local.get $P_hx) (v128.const i64x2 0x3FF0A2B2 0x3FF0A2B2))))
    (local.set $P_tk (v128.and (local.get $P_tk)
      (i64x2.gt_s (local.get $P_hx) (v128.const i64x2 0x3FD62E42 0x3FD62E42))))
    (local.set $P_hi (f64x2.sub (local.get $P_x) (f64x2.mul (local.get $P_tk) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
    (local.set $P_lo (f64x2.mul (local.get $P_tk) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
    (local.set $P_xr (f64x2.sub (local.get $P_hi) (local.get $P_lo)))
    (local.set $P_c (f64x2.sub (f64x2.sub (local.get $P_hi) (local.get $P_xr)) (local.get $P_lo)))
    (local.set $P_hfx (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $P_xr)))
    (local.set $P_hxs (f64x2.mul (local.get $P_xr) (local.get $P_hfx)))
    (local.set $P_r1 (f64x2.add (v128.const f64x2 1 1)
      (f64x2.mul (local.get $P_hxs) (f64x2.add (v128.const f64x2 -3.33333333333331316428e-02 -3.33333333333331316428e-02)
      (f64x2.mul (local.get $P_hxs) (f64x2.add (v128.const f64x2 1.58730158725481460165e-03 1.58730158725481460165e-03)
      (f64x2.mul (local.get $P_hxs) (f64x2.add (v128.const f64x2 -7.93650757867487942473e-05 -7.93650757867487942473e-05)
      (f64x2.mul (local.get $P_hxs) (f64x2.add (v128.const f64x2 4.00821782732936239552e-06 4.00821782732936239552e-06)
      (f64x2.mul (local.get $P_hxs) (v128.const f64x2 -2.01099218183624371326e-07 -2.01099218183624371326e-07))))))))))))
    (local.set $P_t (f64x2.sub (v128.const f64x2 3 3) (f64x2.mul (local.get $P_r1) (local.get $P_hfx))))
    (local.set $P_e (f64x2.mul (local.get $P_hxs)
      (f64x2.div (f64x2.sub (local.get $P_r1) (local.get $P_t))
                 (f64x2.sub (v128.const f64x2 6 6) (f64x2.mul (local.get $P_xr) (local.get $P_t))))))
    (local.set $P_e2 (f64x2.sub (f64x2.sub (f64x2.mul (local.get $P_xr) (f64x2.sub (local.get $P_e) (local.get $P_c))) (local.get $P_c)) (local.get $P_hxs)))
    ;; 2^k and 2^−k from k's bits
    (local.set $P_ki (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $P_tk))) (i32.const 52)))
    (local.set $P_twopk (i64x2.add (local.get $P_ki) (v128.const i64x2 0x3FF0000000000000 0x3FF0000000000000)))
    (local.set $P_twomk (i64x2.sub (v128.const i64x2 0x3FF0000000000000 0x3FF0000000000000) (local.get $P_ki)))
    ;; 20 ≤ k ≤ 56: 2^k (1 − ((e − x) + 2^−k))... as fdlibm: (x − (e + 2^−k)) + 1, times 2^k
    (local.set $P_res (f64x2.mul (f64x2.add (f64x2.sub (local.get $P_xr) (f64x2.add (local.get $P_e2) (local.get $P_twomk))) (v128.const f64x2 1 1)) (local.get $P_twopk)))
    ;; 2 ≤ k < 20: ((1 − 2^−k) − (e − x)) 2^k
    (local.set $P_res (v128.bitselect
      (f64x2.mul (f64x2.sub (f64x2.sub (v128.const f64x2 1 1) (local.get $P_twomk)) (f64x2.sub (local.get $P_e2) (local.get $P_xr))) (local.get $P_twopk))
      (local.get $P_res) (f64x2.lt (local.get $P_tk) (v128.const f64x2 20 20))))
    ;; k ≤ −2 or k > 56: (1 − (e − x)) 2^k − 1
    (local.set $P_res (v128.bitselect
      (f64x2.sub (f64x2.mul (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub (local.get $P_e2) (local.get $P_xr))) (local.get $P_twopk)) (v128.const f64x2 1 1))
      (local.get $P_res)
      (v128.or (f64x2.le (local.get $P_tk) (v128.const f64x2 -2 -2)) (f64x2.gt (local.get $P_tk) (v128.const f64x2 56 56)))))
    ;; k = 1
    (local.set $P_res (v128.bitselect
      (v128.bitselect
        (f64x2.mul (v128.const f64x2 -2 -2) (f64x2.sub (local.get $P_e2) (f64x2.add (local.get $P_xr) (v128.const f64x2 0.5 0.5))))
        (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (local.get $P_xr) (local.get $P_e2))))
        (f64x2.lt (local.get $P_xr) (v128.const f64x2 -0.25 -0.25)))
      (local.get $P_res) (f64x2.eq (local.get $P_tk) (v128.const f64x2 1 1))))
    ;; k = −1
    (local.set $P_res (v128.bitselect
      (f64x2.sub (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.sub (local.get $P_xr) (local.get $P_e2))) (v128.const f64x2 0.5 0.5))
      (local.get $P_res) (f64x2.eq (local.get $P_tk) (v128.const f64x2 -1 -1))))
    ;; k = 0
    (v128.bitselect
      (f64x2.sub (local.get $P_xr) (f64x2.sub (f64x2.mul (local.get $P_xr) (local.get $P_e)) (local.get $P_hxs)))
      (local.get $P_res) (f64x2.eq (local.get $P_tk) (v128.const f64x2 0 0)))))
        (local.set $T0 (f64x2.div (local.get $EE0) (f64x2.add (local.get $EE0) (v128.const f64x2 2 2))))
        (local.set $Q_x (f64x2.mul (v128.const f64x2 2 2) (f64x2.min (f64x2.add (f64x2.mul (local.get $A) (local.get $X1)) (local.get $B)) (v128.const f64x2 20 20))))
        (local.set $EE1 (block $exQ (result v128) (local.set $Q_hx (v128.and (i64x2.shr_u (local.get $Q_x) (i32.const 32)) (v128.const i64x2 0x7fffffff 0x7fffffff)))
    (if (v128.any_true (v128.or
          (i64x2.ge_s (local.get $Q_hx) (v128.const i64x2 0x4043687A 0x4043687A))
          (i64x2.lt_s (local.get $Q_hx) (v128.const i64x2 0x3C900000 0x3C900000))))
      (then
        (br $exQ (f64x2.replace_lane 1
          (f64x2.splat (call $expm1 (f64x2.extract_lane 0 (local.get $Q_x))))
          (call $expm1 (f64x2.extract_lane 1 (local.get $Q_x)))))))
    (local.set $Q_neg (i64x2.lt_s (local.get $Q_x) (v128.const i64x2 0 0)))
    ;; k: 0 for |x| ≤ 0.5 ln2 (by the high word), ±1 below 1.5 ln2, else trunc(x/ln2 ± 0.5); tk = k as a double
    (local.set $Q_tk (f64x2.trunc (f64x2.add (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00) (local.get $Q_x))
      (v128.bitselect (v128.const f64x2 -0.5 -0.5) (v128.const f64x2 0.5 0.5) (local.get $Q_neg)))))
    (local.set $Q_tk (v128.bitselect
      (v128.bitselect (v128.const f64x2 -1 -1) (v128.const f64x2 1 1) (local.get $Q_neg))
      (local.get $Q_tk)
      (i64x2.lt_s (local.get $Q_hx) (v128.const i64x2 0x3FF0A2B2 0x3FF0A2B2))))
    (local.set $Q_tk (v128.and (local.get $Q_tk)
      (i64x2.gt_s (local.get $Q_hx) (v128.const i64x2 0x3FD62E42 0x3FD62E42))))
    (local.set $Q_hi (f64x2.sub (local.get $Q_x) (f64x2.mul (local.get $Q_tk) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
    (local.set $Q_lo (f64x2.mul (local.get $Q_tk) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
    (local.set $Q_xr (f64x2.sub (local.get $Q_hi) (local.get $Q_lo)))
    (local.set $Q_c (f64x2.sub (f64x2.sub (local.get $Q_hi) (local.get $Q_xr)) (local.get $Q_lo)))
    (local.set $Q_hfx (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $Q_xr)))
    (local.set $Q_hxs (f64x2.mul (local.get $Q_xr) (local.get $Q_hfx)))
    (local.set $Q_r1 (f64x2.add (v128.const f64x2 1 1)
      (f64x2.mul (local.get $Q_hxs) (f64x2.add (v128.const f64x2 -3.33333333333331316428e-02 -3.33333333333331316428e-02)
      (f64x2.mul (local.get $Q_hxs) (f64x2.add (v128.const f64x2 1.58730158725481460165e-03 1.58730158725481460165e-03)
      (f64x2.mul (local.get $Q_hxs) (f64x2.add (v128.const f64x2 -7.93650757867487942473e-05 -7.93650757867487942473e-05)
      (f64x2.mul (local.get $Q_hxs) (f64x2.add (v128.const f64x2 4.00821782732936239552e-06 4.00821782732936239552e-06)
      (f64x2.mul (local.get $Q_hxs) (v128.const f64x2 -2.01099218183624371326e-07 -2.01099218183624371326e-07))))))))))))
    (local.set $Q_t (f64x2.sub (v128.const f64x2 3 3) (f64x2.mul (local.get $Q_r1) (local.get $Q_hfx))))
    (local.set $Q_e (f64x2.mul (local.get $Q_hxs)
      (f64x2.div (f64x2.sub (local.get $Q_r1) (local.get $Q_t))
                 (f64x2.sub (v128.const f64x2 6 6) (f64x2.mul (local.get $Q_xr) (local.get $Q_t))))))
    (local.set $Q_e2 (f64x2.sub (f64x2.sub (f64x2.mul (local.get $Q_xr) (f64x2.sub (local.get $Q_e) (local.get $Q_c))) (local.get $Q_c)) (local.get $Q_hxs)))
    ;; 2^k and 2^−k from k's bits
    (local.set $Q_ki (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $Q_tk))) (i32.const 52)))
    (local.set $Q_twopk (i64x2.add (local.get $Q_ki) (v128.const i64x2 0x3FF0000000000000 0x3FF0000000000000)))
    (local.set $Q_twomk (i64x2.sub (v128.const i64x2 0x3FF0000000000000 0x3FF0000000000000) (local.get $Q_ki)))
    ;; 20 ≤ k ≤ 56: 2^k (1 − ((e − x) + 2^−k))... as fdlibm: (x − (e + 2^−k)) + 1, times 2^k
    (local.set $Q_res (f64x2.mul (f64x2.add (f64x2.sub (local.get $Q_xr) (f64x2.add (local.get $Q_e2) (local.get $Q_twomk))) (v128.const f64x2 1 1)) (local.get $Q_twopk)))
    ;; 2 ≤ k < 20: ((1 − 2^−k) − (e − x)) 2^k
    (local.set $Q_res (v128.bitselect
      (f64x2.mul (f64x2.sub (f64x2.sub (v128.const f64x2 1 1) (local.get $Q_twomk)) (f64x2.sub (local.get $Q_e2) (local.get $Q_xr))) (local.get $Q_twopk))
      (local.get $Q_res) (f64x2.lt (local.get $Q_tk) (v128.const f64x2 20 20))))
    ;; k ≤ −2 or k > 56: (1 − (e − x)) 2^k − 1
    (local.set $Q_res (v128.bitselect
      (f64x2.sub (f64x2.mul (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub (local.get $Q_e2) (local.get $Q_xr))) (local.get $Q_twopk)) (v128.const f64x2 1 1))
      (local.get $Q_res)
      (v128.or (f64x2.le (local.get $Q_tk) (v128.const f64x2 -2 -2)) (f64x2.gt (local.get $Q_tk) (v128.const f64x2 56 56)))))
    ;; k = 1
    (local.set $Q_res (v128.bitselect
      (v128.bitselect
        (f64x2.mul (v128.const f64x2 -2 -2) (f64x2.sub (local.get $Q_e2) (f64x2.add (local.get $Q_xr) (v128.const f64x2 0.5 0.5))))
        (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (local.get $Q_xr) (local.get $Q_e2))))
        (f64x2.lt (local.get $Q_xr) (v128.const f64x2 -0.25 -0.25)))
      (local.get $Q_res) (f64x2.eq (local.get $Q_tk) (v128.const f64x2 1 1))))
    ;; k = −1
    (local.set $Q_res (v128.bitselect
      (f64x2.sub (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.sub (local.get $Q_xr) (local.get $Q_e2))) (v128.const f64x2 0.5 0.5))
      (local.get $Q_res) (f64x2.eq (local.get $Q_tk) (v128.const f64x2 -1 -1))))
    ;; k = 0
    (v128.bitselect
      (f64x2.sub (local.get $Q_xr) (f64x2.sub (f64x2.mul (local.get $Q_xr) (local.get $Q_e)) (local.get $Q_hxs)))
      (local.get $Q_res) (f64x2.eq (local.get $Q_tk) (v128.const f64x2 0 0)))))
        (local.set $T1 (f64x2.div (local.get $EE1) (f64x2.add (local.get $EE1) (v128.const f64x2 2 2))))
        (local.set $CT (f64x2.mul (local.get $C) (local.get $T0)))
        (local.set $r (f64.sub (f64.load (i32.add (local.get $yOff) (i32.shl (local.get $pick0) (i32.const 3))))
          (f64.add (f64.add (f64x2.extract_lane 0 (local.get $CT)) (f64x2.extract_lane 1 (local.get $CT))) (local.get $d))))
        (local.set $R (f64x2.splat (local.get $r)))
        (local.set $Q (f64x2.mul (local.get $R) (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $T0) (local.get $T0)))))
        (local.set $sr (f64.add (local.get $sr) (local.get $r)))
        (local.set $SRT (f64x2.add (local.get $SRT) (f64x2.mul (local.get $R) (local.get $T0))))
        (local.set $SQ (f64x2.add (local.get $SQ) (local.get $Q)))
        (local.set $SQX (f64x2.add (local.get $SQX) (f64x2.mul (local.get $Q) (local.get $X0))))
        (local.set $CT (f64x2.mul (local.get $C) (local.get $T1)))
        (local.set $r (f64.sub (f64.load (i32.add (local.get $yOff) (i32.shl (local.get $pick1) (i32.const 3))))
          (f64.add (f64.add (f64x2.extract_lane 0 (local.get $CT)) (f64x2.extract_lane 1 (local.get $CT))) (local.get $d))))
        (local.set $R (f64x2.splat (local.get $r)))
        (local.set $Q (f64x2.mul (local.get $R) (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $T1) (local.get $T1)))))
        (local.set $sr (f64.add (local.get $sr) (local.get $r)))
        (local.set $SRT (f64x2.add (local.get $SRT) (f64x2.mul (local.get $R) (local.get $T1))))
        (local.set $SQ (f64x2.add (local.get $SQ) (local.get $Q)))
        (local.set $SQX (f64x2.add (local.get $SQX) (f64x2.mul (local.get $Q) (local.get $X1))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $sample)))
      (if (i32.lt_u (local.get $i) (local.get $m)) (then
        (local.set $n (i32.sub (local.get $M) (local.get $i)))
        (local.set $thr (i32.const -1))
        (loop $draw
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
        (local.set $pick0 (i32.load (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))))
        (i32.store (i32.add (local.get $ord) (i32.shl (local.get $j) (i32.const 2)))
                   (i32.load (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2)))))
        (i32.store (i32.add (local.get $ord) (i32.shl (local.get $i) (i32.const 2))) (local.get $pick0))
        
        (local.set $xi0 (f64.load offset=80 (i32.shl (local.get $pick0) (i32.const 3))))
        (local.set $X0 (f64x2.splat (local.get $xi0)))
        (local.set $P_x (f64x2.mul (v128.const f64x2 2 2) (f64x2.min (f64x2.add (f64x2.mul (local.get $A) (local.get $X0)) (local.get $B)) (v128.const f64x2 20 20))))
        (local.set $EE0 (block $exR (result v128) (local.set $P_hx (v128.and (i64x2.shr_u (local.get $P_x) (i32.const 32)) (v128.const i64x2 0x7fffffff 0x7fffffff)))
    (if (v128.any_true (v128.or
          (i64x2.ge_s (local.get $P_hx) (v128.const i64x2 0x4043687A 0x4043687A))
          (i64x2.lt_s (local.get $P_hx) (v128.const i64x2 0x3C900000 0x3C900000))))
      (then
        (br $exR (f64x2.replace_lane 1
          (f64x2.splat (call $expm1 (f64x2.extract_lane 0 (local.get $P_x))))
          (call $expm1 (f64x2.extract_lane 1 (local.get $P_x)))))))
    (local.set $P_neg (i64x2.lt_s (local.get $P_x) (v128.const i64x2 0 0)))
    ;; k: 0 for |x| ≤ 0.5 ln2 (by the high word), ±1 below 1.5 ln2, else trunc(x/ln2 ± 0.5); tk = k as a double
    (local.set $P_tk (f64x2.trunc (f64x2.add (f64x2.mul (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00) (local.get $P_x))
      (v128.bitselect (v128.const f64x2 -0.5 -0.5) (v128.const f64x2 0.5 0.5) (local.get $P_neg)))))
    (local.set $P_tk (v128.bitselect
      (v128.bitselect (v128.const f64x2 -1 -1) (v128.const f64x2 1 1) (local.get $P_neg))
      (local.get $P_tk)
      (i64x2.lt_s (local.get $P_hx) (v128.const i64x2 0x3FF0A2B2 0x3FF0A2B2))))
    (local.set $P_tk (v128.and (local.get $P_tk)
      (i64x2.gt_s (local.get $P_hx) (v128.const i64x2 0x3FD62E42 0x3FD62E42))))
    (local.set $P_hi (f64x2.sub (local.get $P_x) (f64x2.mul (local.get $P_tk) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
    (local.set $P_lo (f64x2.mul (local.get $P_tk) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
    (local.set $P_xr (f64x2.sub (local.get $P_hi) (local.get $P_lo)))
    (local.set $P_c (f64x2.sub (f64x2.sub (local.get $P_hi) (local.get $P_xr)) (local.get $P_lo)))
    (local.set $P_hfx (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $P_xr)))
    (local.set $P_hxs (f64x2.mul (local.get $P_xr) (local.get $P_hfx)))
    (local.set $P_r1 (f64x2.add (v128.const f64x2 1 1)
      (f64x2.mul (local.get $P_hxs) (f64x2.add (v128.const f64x2 -3.33333333333331316428e-02 -3.33333333333331316428e-02)
      (f64x2.mul (local.get $P_hxs) (f64x2.add (v128.const f64x2 1.58730158725481460165e-03 1.58730158725481460165e-03)
      (f64x2.mul (local.get $P_hxs) (f64x2.add (v128.const f64x2 -7.93650757867487942473e-05 -7.93650757867487942473e-05)
      (f64x2.mul (local.get $P_hxs) (f64x2.add (v128.const f64x2 4.00821782732936239552e-06 4.00821782732936239552e-06)
      (f64x2.mul (local.get $P_hxs) (v128.const f64x2 -2.01099218183624371326e-07 -2.01099218183624371326e-07))))))))))))
    (local.set $P_t (f64x2.sub (v128.const f64x2 3 3) (f64x2.mul (local.get $P_r1) (local.get $P_hfx))))
    (local.set $P_e (f64x2.mul (local.get $P_hxs)
      (f64x2.div (f64x2.sub (local.get $P_r1) (local.get $P_t))
                 (f64x2.sub (v128.const f64x2 6 6) (f64x2.mul (local.get $P_xr) (local.get $P_t))))))
    (local.set $P_e2 (f64x2.sub (f64x2.sub (f64x2.mul (local.get $P_xr) (f64x2.sub (local.get $P_e) (local.get $P_c))) (local.get $P_c)) (local.get $P_hxs)))
    ;; 2^k and 2^−k from k's bits
    (local.set $P_ki (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $P_tk))) (i32.const 52)))
    (local.set $P_twopk (i64x2.add (local.get $P_ki) (v128.const i64x2 0x3FF0000000000000 0x3FF0000000000000)))
    (local.set $P_twomk (i64x2.sub (v128.const i64x2 0x3FF0000000000000 0x3FF0000000000000) (local.get $P_ki)))
    ;; 20 ≤ k ≤ 56: 2^k (1 − ((e − x) + 2^−k))... as fdlibm: (x − (e + 2^−k)) + 1, times 2^k
    (local.set $P_res (f64x2.mul (f64x2.add (f64x2.sub (local.get $P_xr) (f64x2.add (local.get $P_e2) (local.get $P_twomk))) (v128.const f64x2 1 1)) (local.get $P_twopk)))
    ;; 2 ≤ k < 20: ((1 − 2^−k) − (e − x)) 2^k
    (local.set $P_res (v128.bitselect
      (f64x2.mul (f64x2.sub (f64x2.sub (v128.const f64x2 1 1) (local.get $P_twomk)) (f64x2.sub (local.get $P_e2) (local.get $P_xr))) (local.get $P_twopk))
      (local.get $P_res) (f64x2.lt (local.get $P_tk) (v128.const f64x2 20 20))))
    ;; k ≤ −2 or k > 56: (1 − (e − x)) 2^k − 1
    (local.set $P_res (v128.bitselect
      (f64x2.sub (f64x2.mul (f64x2.sub (v128.const f64x2 1 1) (f64x2.sub (local.get $P_e2) (local.get $P_xr))) (local.get $P_twopk)) (v128.const f64x2 1 1))
      (local.get $P_res)
      (v128.or (f64x2.le (local.get $P_tk) (v128.const f64x2 -2 -2)) (f64x2.gt (local.get $P_tk) (v128.const f64x2 56 56)))))
    ;; k = 1
    (local.set $P_res (v128.bitselect
      (v128.bitselect
        (f64x2.mul (v128.const f64x2 -2 -2) (f64x2.sub (local.get $P_e2) (f64x2.add (local.get $P_xr) (v128.const f64x2 0.5 0.5))))
        (f64x2.add (v128.const f64x2 1 1) (f64x2.mul (v128.const f64x2 2 2) (f64x2.sub (local.get $P_xr) (local.get $P_e2))))
        (f64x2.lt (local.get $P_xr) (v128.const f64x2 -0.25 -0.25)))
      (local.get $P_res) (f64x2.eq (local.get $P_tk) (v128.const f64x2 1 1))))
    ;; k = −1
    (local.set $P_res (v128.bitselect
      (f64x2.sub (f64x2.mul (v128.const f64x2 0.5 0.5) (f64x2.sub (local.get $P_xr) (local.get $P_e2))) (v128.const f64x2 0.5 0.5))
      (local.get $P_res) (f64x2.eq (local.get $P_tk) (v128.const f64x2 -1 -1))))
    ;; k = 0
    (v128.bitselect
      (f64x2.sub (local.get $P_xr) (f64x2.sub (f64x2.mul (local.get $P_xr) (local.get $P_e)) (local.get $P_hxs)))
      (local.get $P_res) (f64x2.eq (local.get $P_tk) (v128.const f64x2 0 0)))))
        (local.set $T0 (f64x2.div (local.get $EE0) (f64x2.add (local.get $EE0) (v128.const f64x2 2 2))))
        (local.set $CT (f64x2.mul (local.get $C) (local.get $T0)))
        (local.set $r (f64.sub (f64.load (i32.add (local.get $yOff) (i32.shl (local.get $pick0) (i32.const 3))))
          (f64.add (f64.add (f64x2.extract_lane 0 (local.get $CT)) (f64x2.extract_lane 1 (local.get $CT))) (local.get $d))))
        (local.set $R (f64x2.splat (local.get $r)))
        (local.set $Q (f64x2.mul (local.get $R) (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $T0) (local.get $T0)))))
        (local.set $sr (f64.add (local.get $sr) (local.get $r)))
        (local.set $SRT (f64x2.add (local.get $SRT) (f64x2.mul (local.get $R) (local.get $T0))))
        (local.set $SQ (f64x2.add (local.get $SQ) (local.get $Q)))
        (local.set $SQX (f64x2.add (local.get $SQX) (f64x2.mul (local.get $Q) (local.get $X0))))))
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
    (i32.store offset=68 (i32.const 0) (local.get $s3)))
)
