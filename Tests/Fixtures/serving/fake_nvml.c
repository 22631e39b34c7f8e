/* A stand-in for libnvidia-ml.so.1 exporting the few NVML functions model_exporter calls,
 * with fixed answers: two GPUs, each with running compute processes. The GPU collector's
 * tests build it with gcc and open it through the same dlopen path as the real library.
 * -DFAIL_INIT makes nvmlInit_v2 fail as on a machine without a driver; -DNO_PROCESSES
 * leaves out the running-process functions (a library too old for this exporter);
 * -DNO_DEVICES reports no GPU (a driver on a machine whose GPUs are gone or hidden);
 * -DPROCESSES_NOT_SUPPORTED answers NVML_ERROR_NOT_SUPPORTED for the running-process list
 * (as some devices and drivers do). */
#include <string.h>

typedef int nvmlReturn_t;
typedef struct device { unsigned index; const char *uuid; unsigned gpu, mem; unsigned long long total, used; unsigned mw, temp; } device;
typedef device *nvmlDevice_t;
typedef struct { unsigned gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned pid; unsigned long long usedGpuMemory; unsigned gpuInstanceId, computeInstanceId; } nvmlProcessInfo_t;

enum { SUCCESS = 0, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3, INSUFFICIENT_SIZE = 7, DRIVER_NOT_LOADED = 9 };

static device devices[2] = {
    {0, "GPU-8a6c1f3e-0000-4b1d-9c1a-000000000000", 87, 40, 17179869184ULL, 12884901888ULL, 215500, 71},
    {1, "GPU-8a6c1f3e-0001-4b1d-9c1a-000000000001", 3, 1, 17179869184ULL, 1073741824ULL, 61250, 44},
};
static const nvmlProcessInfo_t processes0[] = {
    {4242, 1073741824ULL, 0, 0}, {4243, 536870912ULL, 0, 0}, {777, 2147483648ULL, 0, 0},
};
static const nvmlProcessInfo_t processes1[] = {
    {4243, 268435456ULL, 0, 0}, {4242, 0xFFFFFFFFFFFFFFFFULL, 0, 0},
};

nvmlReturn_t nvmlInit_v2(void) {
#ifdef FAIL_INIT
    return DRIVER_NOT_LOADED;
#else
    return SUCCESS;
#endif
}
nvmlReturn_t nvmlShutdown(void) { return SUCCESS; }
const char *nvmlErrorString(nvmlReturn_t r) { return r == DRIVER_NOT_LOADED ? "Driver Not Loaded" : "Unknown Error"; }
#ifdef NO_DEVICES
enum { DEVICE_COUNT = 0 };
#else
enum { DEVICE_COUNT = 2 };
#endif
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned *count) { *count = DEVICE_COUNT; return SUCCESS; }
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned i, nvmlDevice_t *d) {
    if (i >= DEVICE_COUNT) return INVALID_ARGUMENT;
    *d = &devices[i];
    return SUCCESS;
}
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned length) {
    if (strlen(d->uuid) + 1 > length) return INSUFFICIENT_SIZE;
    strcpy(uuid, d->uuid);
    return SUCCESS;
}
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) { u->gpu = d->gpu; u->memory = d->mem; return SUCCESS; }
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) { m->total = d->total; m->used = d->used; m->free = d->total - d->used; return SUCCESS; }
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned *mw) { *mw = d->mw; return SUCCESS; }
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned *t) {
    if (sensor != 0) return INVALID_ARGUMENT;
    *t = d->temp;
    return SUCCESS;
}
#ifndef NO_PROCESSES
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned *count, nvmlProcessInfo_t *infos) {
#ifdef PROCESSES_NOT_SUPPORTED
    (void)d; (void)count; (void)infos;
    return NOT_SUPPORTED;
#else
    const nvmlProcessInfo_t *list = d->index == 0 ? processes0 : processes1;
    unsigned n = d->index == 0 ? 3 : 2;
    if (*count < n || infos == 0) { *count = n; return INSUFFICIENT_SIZE; }
    memcpy(infos, list, n * sizeof *infos);
    *count = n;
    return SUCCESS;
#endif
}
#endif
