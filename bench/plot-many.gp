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
set xrange [7:1500]
# rows(tool, delay): only the rows of that tool and latency (column 5: wall time)
rows(t, d) = sprintf("< awk -F, '$1 == \"%s\" && $3 == %d' %s", t, d, csv)
plot rows("process-monitor", 100) using 2:5 with linespoints lw 2 pt 7 lc rgb "#1b7837" title "process-monitor, 100 ms", \
     rows("process-monitor", 0)   using 2:5 with linespoints lw 2 pt 5 dt 2 lc rgb "#1b7837" title "process-monitor, 0 ms", \
     rows("monit", 100)           using 2:5 with linespoints lw 2 pt 7 lc rgb "#c51b7d" title "monit 5.33 validate, 100 ms", \
     rows("monit", 0)             using 2:5 with linespoints lw 2 pt 5 dt 2 lc rgb "#c51b7d" title "monit 5.33 validate, 0 ms", \
     rows("curl-loop", 100)       using 2:5 with linespoints lw 2 pt 7 lc rgb "#2166ac" title "sequential curl loop, 100 ms", \
     rows("curl-loop", 0)         using 2:5 with linespoints lw 2 pt 5 dt 2 lc rgb "#2166ac" title "sequential curl loop, 0 ms"
