set terminal pngcairo size 800,480 font 'sans,10'
set output 'miss-vs-hit.png'
set title "cache miss vs hit at 50/s (2026-12-04)"
set xlabel 'percentile'
set ylabel 'latency (ms)'
set logscale y
set grid
set key top left
plot 'miss-vs-hit.dat' u 0:2:xtic(1) w lp t 'miss', '' u 0:3 w lp t 'hit'
