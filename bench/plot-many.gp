# Benchmark 2's plot: cycle wall time against the number of services, for
# process-monitor, monit validate and the sequential curl loop, at 0 ms and
# 100 ms server latency. Usage: gnuplot -e "csv='many.csv'; out='many.png'" plot-many.gp
set terminal pngcairo size 900,560 font "sans,10"
set output out
set datafile separator ","
set logscale xy
set xlabel "services (health URLs)"
set ylabel "wall time of one cycle (ms, log scale)"
set title "One check cycle over N loopback health URLs (2-core Debian 12)"
set key top left
set grid
set xtics (10, 100, 1000)
# select(tool, delay): the wall time of rows of that tool and latency, else NaN
sel(t, d) = (strcol(1) eq t && $3 == d) ? $5 : NaN
plot csv using 2:(sel("process-monitor", 100)) with linespoints lw 2 pt 7 lc rgb "#1b7837" title "process-monitor, 100 ms", \
     csv using 2:(sel("process-monitor", 0))   with linespoints lw 2 pt 5 dt 2 lc rgb "#1b7837" title "process-monitor, 0 ms", \
     csv using 2:(sel("monit", 100))           with linespoints lw 2 pt 7 lc rgb "#c51b7d" title "monit 5.33 validate, 100 ms", \
     csv using 2:(sel("monit", 0))             with linespoints lw 2 pt 5 dt 2 lc rgb "#c51b7d" title "monit 5.33 validate, 0 ms", \
     csv using 2:(sel("curl-loop", 100))       with linespoints lw 2 pt 7 lc rgb "#2166ac" title "sequential curl loop, 100 ms", \
     csv using 2:(sel("curl-loop", 0))         with linespoints lw 2 pt 5 dt 2 lc rgb "#2166ac" title "sequential curl loop, 0 ms"
