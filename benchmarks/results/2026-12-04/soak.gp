set terminal pngcairo size 900,480 font 'sans,10'
set output 'soak.png'
set title "soak: memory over time (2026-12-04)"
set xlabel 'minutes'
set ylabel 'MiB'
set grid
set key outside
plot 'soak-rssKiB.dat' u 1:2 w lp t 'conversation RSS', '' u 1:3 w lp t 'message RSS', '' u 1:4 w lp t 'presence RSS', 'soak-liveHeapKiB.dat' u 1:2 w lp dt 2 t 'conversation heap', '' u 1:3 w lp dt 2 t 'message heap', '' u 1:4 w lp dt 2 t 'presence heap'
