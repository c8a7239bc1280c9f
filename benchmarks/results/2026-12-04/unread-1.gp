set terminal pngcairo size 800,480 font 'sans,10'
set output 'unread-1.png'
set title "unread for 1 conversation (2026-12-04)"
set xlabel 'offered rate (requests/s)'
set ylabel 'latency (ms)'
set logscale y
set grid
set key top left
plot 'unread-1.dat' u 1:2 w lp t 'p50', '' u 1:3 w lp t 'p90', '' u 1:4 w lp t 'p99', '' u 1:5 w lp t 'p99.9', '' u 1:6 w lp dt 2 t 'bare endpoint p99'
