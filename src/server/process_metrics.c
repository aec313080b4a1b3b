/* process_metrics.c — the process_* families of Prometheus's client guidelines
 * (https://prometheus.io/docs/instrumenting/writing_clientlibs/#process-metrics), read at
 * scrape time from getrusage, getrlimit and /proc/self: nothing is kept between scrapes.
 * /proc's files are the kernel's, read whole into a bounded buffer and parsed by field
 * position as proc(5) documents them. */
#include "process_metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/prom.h"

/* The file's first cap-1 bytes, NUL-terminated; false when it cannot be read. */
static bool read_small(const char *path, char *text, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return false;
    n = read(fd, text, cap - 1);
    close(fd);
    if (n <= 0)
        return false;
    text[n] = '\0';
    return true;
}

/* Field `index` (0-based) of the space-separated list at s, as a number. */
static bool nth_number(const char *s, int index, unsigned long long *out)
{
    char *end;

    for (int i = 0; i < index; i++) {
        s = strchr(s, ' ');
        if (!s)
            return false;
        s++;
    }
    *out = strtoull(s, &end, 10);
    return end != s;
}

/* When the process started, in seconds since the epoch: its start in clock ticks after
 * boot (/proc/self/stat field 22, after the parenthesised command name that may hold
 * spaces) plus the boot time (/proc/stat "btime"). */
static bool start_time(double *out)
{
    char stat[1024], all[8192];
    const char *after, *btime;
    unsigned long long ticks, boot;
    long hz = sysconf(_SC_CLK_TCK);

    if (!read_small("/proc/self/stat", stat, sizeof(stat)) ||
        !read_small("/proc/stat", all, sizeof(all)) || hz <= 0)
        return false;
    after = strrchr(stat, ')');
    btime = strstr(all, "\nbtime ");
    /* after ") ": field 3 (state) is index 0, so field 22 is index 19 */
    if (!after || after[1] != ' ' || !btime || !nth_number(after + 2, 19, &ticks) ||
        !nth_number(btime + 7, 0, &boot))
        return false;
    *out = (double)boot + (double)ticks / (double)hz;
    return true;
}

/* Descriptors open now: the entries of /proc/self/fd, less the one reading it. */
static bool open_fds(unsigned long long *out)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    unsigned long long n = 0;

    if (!d)
        return false;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    *out = n ? n - 1 : 0;
    return true;
}

cu_rc process_metrics_write(struct buf *out)
{
    cu_rc rc = CU_OK;
    struct rusage ru;
    struct rlimit lim;
    char statm[256];
    unsigned long long pages, fds;
    long page = sysconf(_SC_PAGESIZE);
    double started;

    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;

        TRY(prom_family(out, "process_cpu_seconds_total", "counter",
                        "Total user and system CPU time spent in seconds."));
        TRY(prom_real(out, "process_cpu_seconds_total", NULL, 0, cpu));
    }
    if (read_small("/proc/self/statm", statm, sizeof(statm)) && page > 0) {
        /* statm: size resident shared ..., in pages */
        if (nth_number(statm, 0, &pages)) {
            TRY(prom_family(out, "process_virtual_memory_bytes", "gauge",
                            "Virtual memory size in bytes."));
            TRY(prom_uint(out, "process_virtual_memory_bytes", NULL, 0, pages * (unsigned long long)page));
        }
        if (nth_number(statm, 1, &pages)) {
            TRY(prom_family(out, "process_resident_memory_bytes", "gauge",
                            "Resident memory size in bytes."));
            TRY(prom_uint(out, "process_resident_memory_bytes", NULL, 0, pages * (unsigned long long)page));
        }
    }
    if (open_fds(&fds)) {
        TRY(prom_family(out, "process_open_fds", "gauge", "Number of open file descriptors."));
        TRY(prom_uint(out, "process_open_fds", NULL, 0, fds));
    }
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
        TRY(prom_family(out, "process_max_fds", "gauge",
                        "Maximum number of open file descriptors."));
        TRY(prom_uint(out, "process_max_fds", NULL, 0, (unsigned long long)lim.rlim_cur));
    }
    if (start_time(&started)) {
        TRY(prom_family(out, "process_start_time_seconds", "gauge",
                        "Start time of the process since unix epoch in seconds."));
        TRY(prom_real(out, "process_start_time_seconds", NULL, 0, started));
    }
out:
    return rc;
}
