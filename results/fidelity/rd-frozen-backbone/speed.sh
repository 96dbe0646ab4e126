#!/bin/bash
# RD B's step, side by side: gradients through the frozen backbone (exp: HEAD), none (main: working tree), and
# batch norm on running statistics too (probe). One epoch of the 2,000 training images each, the same seed.
M=/work/exp/work/experiments/manufacturer-ff79a562af5f
for v in exp main probe; do
  cd /work/$v
  case $v in exp) R=/root/m2-exp;; main) R=/root/.m2;; probe) R=/root/m2-probe;; esac
  export DIREDI_MAVEN_ARGS="-o -Dmaven.repo.local=$R/repository"
  rm -rf /tmp/speed-$v
  date; echo "== $v"
  ./diredi distill --teacher $M/edge-distill-B/model.ckpt --student-preset tutor --init $M/tutor-distill-A/model.ckpt \
    --freeze-backbone --feature-weight 1 --data /work/exp/work/fashion-scenes --classes tshirt,trouser,dress,sandal,bag \
    --epochs 1 --seed 43 --out /tmp/speed-$v 2>&1 | grep -v NNPACK | tr '\r' '\n' | grep -v "img/s" | tail -3
  grep -m1 '"seconds"' /tmp/speed-$v/history.json
done
