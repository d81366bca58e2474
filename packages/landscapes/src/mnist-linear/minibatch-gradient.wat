;; mnist-linear's minibatch gradient (Eq. 12): ∇L_B + ∇R = −(2/m) Σ_{i∈B} r_i x_iᵀ + 2λW, r_i = y_i − W x_i, over the
;; nonzero pixels of each x_i, in f64x2 (minibatch-gradient.ts drives it; node tools/build-wasm.mjs writes
;; minibatch-gradient-wasm.ts from this file).
;; Memory (bytes): 0 Wᵀ (P×K = 49×10 f64: pixel p's ten class weights at 80p, so two classes per v128) |
;; 3920 the gradient, same layout | then, at offsets the caller passes: the sparse rows' starts (i32, M + 1), the
;; labels (u8), the pixel indices (u8), the pixel values (f64) and, last, the minibatch (i32).
;; Every entry sees the JS reference's operations in its order (mnist-linear.ts minibatchGradient): f_c += W_cp·v over
;; the pixels in row order, r_c = (y = c ? 1 : 0) − f_c, g_cp += r_c·v over the samples in batch order, then
;; g = s·g + 2λ·W; a lane holds one class, no FMA, so the bits are the same.
(module
  (memory (export "memory") 1)

  (func (export "gradient") (param $m i32) (param $batch i32) (param $start i32) (param $lab i32) (param $idx i32)
    (param $val i32) (param $s f64) (param $l2 f64)
    (local $k i32) (local $i i32) (local $b i32) (local $e i32) (local $j i32) (local $p i32) (local $a i32)
    (local $V v128) (local $Y v128)
    (local $F0 v128) (local $F1 v128) (local $F2 v128) (local $F3 v128) (local $F4 v128)
    (local $R0 v128) (local $R1 v128) (local $R2 v128) (local $R3 v128) (local $R4 v128)
    ;; g = 0
    (local.set $a (i32.const 0))
    (loop $zero
      (v128.store offset=3920 (local.get $a) (v128.const i64x2 0 0))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (br_if $zero (i32.lt_u (local.get $a) (i32.const 3920))))
    (local.set $k (i32.const 0))
    (block $done
      (loop $samples
        (br_if $done (i32.ge_s (local.get $k) (local.get $m)))
        (local.set $i (i32.load (i32.add (local.get $batch) (i32.shl (local.get $k) (i32.const 2)))))
        (local.set $b (i32.load (i32.add (local.get $start) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $e (i32.load offset=4 (i32.add (local.get $start) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $Y (i64x2.splat (i64.extend_i32_u (i32.load8_u (i32.add (local.get $lab) (local.get $i))))))
        ;; f = W x_i, two classes per lane pair, pixels in row order
        (local.set $F0 (v128.const i64x2 0 0))
        (local.set $F1 (v128.const i64x2 0 0))
        (local.set $F2 (v128.const i64x2 0 0))
        (local.set $F3 (v128.const i64x2 0 0))
        (local.set $F4 (v128.const i64x2 0 0))
        (local.set $j (local.get $b))
        (block $fwdDone
          (loop $fwd
            (br_if $fwdDone (i32.ge_s (local.get $j) (local.get $e)))
            (local.set $p (i32.mul (i32.load8_u (i32.add (local.get $idx) (local.get $j))) (i32.const 80)))
            (local.set $V (f64x2.splat (f64.load (i32.add (local.get $val) (i32.shl (local.get $j) (i32.const 3))))))
            (local.set $F0 (f64x2.add (local.get $F0) (f64x2.mul (v128.load offset=0 (local.get $p)) (local.get $V))))
            (local.set $F1 (f64x2.add (local.get $F1) (f64x2.mul (v128.load offset=16 (local.get $p)) (local.get $V))))
            (local.set $F2 (f64x2.add (local.get $F2) (f64x2.mul (v128.load offset=32 (local.get $p)) (local.get $V))))
            (local.set $F3 (f64x2.add (local.get $F3) (f64x2.mul (v128.load offset=48 (local.get $p)) (local.get $V))))
            (local.set $F4 (f64x2.add (local.get $F4) (f64x2.mul (v128.load offset=64 (local.get $p)) (local.get $V))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $fwd)))
        ;; r_c = (y = c ? 1 : 0) − f_c: the one-hot lane is 1.0 where y equals the lane's class, +0.0 elsewhere
        (local.set $R0 (f64x2.sub (v128.and (i64x2.eq (local.get $Y) (v128.const i64x2 0 1)) (v128.const f64x2 1 1)) (local.get $F0)))
        (local.set $R1 (f64x2.sub (v128.and (i64x2.eq (local.get $Y) (v128.const i64x2 2 3)) (v128.const f64x2 1 1)) (local.get $F1)))
        (local.set $R2 (f64x2.sub (v128.and (i64x2.eq (local.get $Y) (v128.const i64x2 4 5)) (v128.const f64x2 1 1)) (local.get $F2)))
        (local.set $R3 (f64x2.sub (v128.and (i64x2.eq (local.get $Y) (v128.const i64x2 6 7)) (v128.const f64x2 1 1)) (local.get $F3)))
        (local.set $R4 (f64x2.sub (v128.and (i64x2.eq (local.get $Y) (v128.const i64x2 8 9)) (v128.const f64x2 1 1)) (local.get $F4)))
        ;; g_cp += r_c v over the same pixels
        (local.set $j (local.get $b))
        (block $bwdDone
          (loop $bwd
            (br_if $bwdDone (i32.ge_s (local.get $j) (local.get $e)))
            (local.set $p (i32.mul (i32.load8_u (i32.add (local.get $idx) (local.get $j))) (i32.const 80)))
            (local.set $V (f64x2.splat (f64.load (i32.add (local.get $val) (i32.shl (local.get $j) (i32.const 3))))))
            (v128.store offset=3920 (local.get $p)
              (f64x2.add (v128.load offset=3920 (local.get $p)) (f64x2.mul (local.get $R0) (local.get $V))))
            (v128.store offset=3936 (local.get $p)
              (f64x2.add (v128.load offset=3936 (local.get $p)) (f64x2.mul (local.get $R1) (local.get $V))))
            (v128.store offset=3952 (local.get $p)
              (f64x2.add (v128.load offset=3952 (local.get $p)) (f64x2.mul (local.get $R2) (local.get $V))))
            (v128.store offset=3968 (local.get $p)
              (f64x2.add (v128.load offset=3968 (local.get $p)) (f64x2.mul (local.get $R3) (local.get $V))))
            (v128.store offset=3984 (local.get $p)
              (f64x2.add (v128.load offset=3984 (local.get $p)) (f64x2.mul (local.get $R4) (local.get $V))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $bwd)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $samples)))
    ;; g = s·g + 2λ·W
    (local.set $a (i32.const 0))
    (loop $final
      (v128.store offset=3920 (local.get $a)
        (f64x2.add (f64x2.mul (f64x2.splat (local.get $s)) (v128.load offset=3920 (local.get $a)))
                   (f64x2.mul (f64x2.splat (local.get $l2)) (v128.load offset=0 (local.get $a)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (br_if $final (i32.lt_u (local.get $a) (i32.const 3920)))))
)
