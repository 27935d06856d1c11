/* encode_floor_p50_us_c1 and encode_floor_cpu_us_per_req_c1: the encode
   pipeline's shape on libzmq alone, one request at a time. A client DEALER
   sends a 100-byte request to the leader's ROUTER; the leader sends one frame
   to each of two members through DEALERs (150 and 200 bytes) and, with the
   early frame, one frame straight back to the client (as Ensemble's leader
   sends the dispatch notice); each member's ROUTER takes the frame and the
   member answers the leader with one frame through its DEALER; the leader
   sends one frame per member answer to the client. Every role but the client
   blocks in zmq_poll; the client blocks in zmq_recv.

   Client, leader and members are threads of the calling process, each with
   its own ZeroMQ context (and so its own I/O thread, as a process of its own
   would have). The CPU figure is the process's CPU time
   (CLOCK_PROCESS_CPUTIME_ID: every thread's, those of the four contexts
   included) over the timed requests, divided by their number, as the bench
   divides the CPU time of its nodes and its client over the c1 run; the part
   of it in libzmq's own threads is read from their schedstat, as the bench
   reads its nodes' (encode_floor_cpu_us_per_req_c1_libzmq).

   deploy/pipeline-floor.sh builds this file alone, with
   ENSEMBLE_PIPELINE_FLOOR_MAIN, into a command of its own. */
#include "CZMQFloor.h"
#include "floor_support.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zmq.h>

enum { PIPELINE_WARMUP = 200, PIPELINE_TIMEOUT_MS = 5000 };

/* One leader or member: its context, its ROUTER, and its DEALERs (one for a member). */
struct pipeline_role {
    void *context;
    void *router;
    void *dealers[2];
    int early_frame;
    pthread_t thread;
    int running;
};

/* Waits for the ROUTER; false once the context is shut down. */
static int pipeline_wait(void *router) {
    zmq_pollitem_t item = {router, 0, ZMQ_POLLIN, 0};
    while (zmq_poll(&item, 1, -1) < 0) {
        if (zmq_errno() != EINTR) return 0;
    }
    return 1;
}

static void *pipeline_member(void *argument) {
    struct pipeline_role *member = argument;
    char identity[256], body[512];
    while (pipeline_wait(member->router)) {
        while (zmq_recv(member->router, identity, sizeof identity, ZMQ_DONTWAIT) >= 0) {
            zmq_recv(member->router, body, sizeof body, 0);
            body[0] = 'A'; /* an answer, not a request */
            zmq_send(member->dealers[0], body, 200, ZMQ_DONTWAIT);
        }
    }
    zmq_close(member->router);
    zmq_close(member->dealers[0]);
    return NULL;
}

static void *pipeline_leader(void *argument) {
    struct pipeline_role *leader = argument;
    char identity[256], client[256], body[512];
    int client_length = 0, length;
    memset(body, 'x', sizeof body);
    while (pipeline_wait(leader->router)) {
        while ((length = zmq_recv(leader->router, identity, sizeof identity, ZMQ_DONTWAIT)) >= 0) {
            zmq_recv(leader->router, body, sizeof body, 0);
            if (body[0] == 'Q') { /* a request: fan out, and maybe answer at once */
                client_length = length < (int)sizeof client ? length : (int)sizeof client;
                memcpy(client, identity, (size_t)client_length);
                zmq_send(leader->dealers[0], body, 150, ZMQ_DONTWAIT);
                zmq_send(leader->dealers[1], body, 200, ZMQ_DONTWAIT);
                if (!leader->early_frame) continue;
            }
            zmq_send(leader->router, client, (size_t)client_length, ZMQ_SNDMORE);
            body[0] = 'R';
            zmq_send(leader->router, body, 150, ZMQ_DONTWAIT);
        }
    }
    zmq_close(leader->router);
    zmq_close(leader->dealers[0]);
    zmq_close(leader->dealers[1]);
    return NULL;
}

static void *pipeline_socket(void *context, int type) {
    int linger = 0;
    void *socket = zmq_socket(context, type);
    if (socket != NULL) zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    return socket;
}

/* A ROUTER on a port the kernel chooses; its endpoint in `endpoint`. */
static int pipeline_bind(struct pipeline_role *role, char *endpoint, size_t size) {
    role->router = pipeline_socket(role->context, ZMQ_ROUTER);
    return role->router != NULL && zmq_bind(role->router, "tcp://127.0.0.1:*") == 0 &&
           zmq_getsockopt(role->router, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0;
}

static void *pipeline_connect(void *context, const char *endpoint) {
    void *dealer = pipeline_socket(context, ZMQ_DEALER);
    if (dealer != NULL && zmq_connect(dealer, endpoint) != 0) {
        zmq_close(dealer);
        return NULL;
    }
    return dealer;
}

static int pipeline_compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The value at `fraction` of sorted latencies, picked as the bench picks its own. */
static double pipeline_percentile(const double *sorted, int count, double fraction) {
    long index = (long)((double)(count - 1) * fraction + 0.5);
    return sorted[index < count ? index : count - 1];
}

/* The process's system time so far, in seconds. */
static double pipeline_kernel_seconds(void) {
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    return (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

/* CPU time so far, in seconds, of this process's threads that libzmq started (named
   "ZMQbg/..."), from each thread's schedstat as the bench reads its nodes' (exact, in ns). */
static double pipeline_libzmq_seconds(void) {
    DIR *tasks = opendir("/proc/self/task");
    if (tasks == NULL) return 0;
    double seconds = 0;
    struct dirent *entry;
    while ((entry = readdir(tasks)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        char path[64], comm[32] = "";
        snprintf(path, sizeof path, "/proc/self/task/%.20s/comm", entry->d_name);
        FILE *file = fopen(path, "r");
        if (file == NULL) continue;
        int named = fgets(comm, sizeof comm, file) != NULL && strncmp(comm, "ZMQbg", 5) == 0;
        fclose(file);
        if (!named) continue;
        snprintf(path, sizeof path, "/proc/self/task/%.20s/schedstat", entry->d_name);
        unsigned long long nanoseconds = 0;
        if ((file = fopen(path, "r")) == NULL) continue;
        if (fscanf(file, "%llu", &nanoseconds) == 1) seconds += (double)nanoseconds / 1e9;
        fclose(file);
    }
    closedir(tasks);
    return seconds;
}

/* Sends the requests and times them; 0, or -1 with `why`. The CPU clocks span the timed ones only. */
static int pipeline_drive(void *client, int requests, int early_frame, double *latencies, double *cpu_seconds,
                          double *kernel_seconds, double *libzmq_seconds, char *why, size_t why_size) {
    char body[512];
    double cpu_start = 0, kernel_start = 0, libzmq_start = 0;
    memset(body, 'x', sizeof body);
    for (int i = 0; i < requests + PIPELINE_WARMUP; i++) {
        if (i == PIPELINE_WARMUP) {
            cpu_start = floor_seconds(CLOCK_PROCESS_CPUTIME_ID);
            kernel_start = pipeline_kernel_seconds();
            libzmq_start = pipeline_libzmq_seconds();
        }
        double start = floor_seconds(CLOCK_MONOTONIC);
        body[0] = 'Q';
        if (zmq_send(client, body, 100, 0) < 0) {
            return floor_fail(-1, why, why_size, "the pipeline floor's client: send: %s", zmq_strerror(zmq_errno()));
        }
        for (int frames = 0; frames < (early_frame ? 3 : 2); frames++) {
            if (zmq_recv(client, body, sizeof body, 0) < 0) {
                return floor_fail(-1, why, why_size, "the pipeline floor's request %d: %s", i + 1,
                                  zmq_errno() == EAGAIN ? "no answer within 5 s" : zmq_strerror(zmq_errno()));
            }
        }
        if (i >= PIPELINE_WARMUP) latencies[i - PIPELINE_WARMUP] = (floor_seconds(CLOCK_MONOTONIC) - start) * 1e6;
    }
    *cpu_seconds = floor_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    *kernel_seconds = pipeline_kernel_seconds() - kernel_start;
    *libzmq_seconds = pipeline_libzmq_seconds() - libzmq_start;
    return 0;
}

int ensemble_pipeline_floor(int requests, int early_frame, EnsemblePipelineFloor *result, char *why, size_t why_size) {
    if (requests < 1 || result == NULL) return floor_fail(-1, why, why_size, "the pipeline floor needs 1 request or more");
    /* roles[0] is the leader, roles[1] and roles[2] the members. */
    struct pipeline_role roles[3];
    char endpoints[3][256];
    memset(roles, 0, sizeof roles);
    int timeout = PIPELINE_TIMEOUT_MS, status = 0;
    double cpu_seconds = 0, kernel_seconds = 0, libzmq_seconds = 0;
    double *latencies = malloc(sizeof(double) * (size_t)requests);
    void *client_context = zmq_ctx_new(), *client = NULL;
    for (int role = 0; role < 3; role++) roles[role].context = zmq_ctx_new();
    roles[0].early_frame = early_frame;

    /* Every socket is made, bound and connected here, then handed to its thread
       (pthread_create is the full memory barrier libzmq asks for). */
    int ready = latencies != NULL && client_context != NULL;
    for (int role = 0; role < 3 && ready; role++) {
        ready = roles[role].context != NULL && pipeline_bind(&roles[role], endpoints[role], sizeof endpoints[role]);
    }
    if (ready) {
        roles[0].dealers[0] = pipeline_connect(roles[0].context, endpoints[1]);
        roles[0].dealers[1] = pipeline_connect(roles[0].context, endpoints[2]);
        roles[1].dealers[0] = pipeline_connect(roles[1].context, endpoints[0]);
        roles[2].dealers[0] = pipeline_connect(roles[2].context, endpoints[0]);
        client = pipeline_connect(client_context, endpoints[0]);
        ready = roles[0].dealers[0] && roles[0].dealers[1] && roles[1].dealers[0] && roles[2].dealers[0] && client;
    }
    if (!ready) status = floor_fail(-1, why, why_size, "the pipeline floor's sockets: %s", zmq_strerror(zmq_errno()));
    for (int role = 0; role < 3 && status == 0; role++) {
        int error = pthread_create(&roles[role].thread, NULL, role == 0 ? pipeline_leader : pipeline_member, &roles[role]);
        if (error != 0) status = floor_fail(-1, why, why_size, "the pipeline floor's threads: %s", strerror(error));
        roles[role].running = error == 0;
    }
    if (status == 0) {
        zmq_setsockopt(client, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
        zmq_setsockopt(client, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
        status = pipeline_drive(client, requests, early_frame, latencies, &cpu_seconds, &kernel_seconds, &libzmq_seconds,
                                why, why_size);
    }
    if (status == 0) {
        qsort(latencies, (size_t)requests, sizeof(double), pipeline_compare);
        result->p50_us = pipeline_percentile(latencies, requests, 0.5);
        result->p99_us = pipeline_percentile(latencies, requests, 0.99);
        result->cpu_us_per_request = cpu_seconds * 1e6 / requests;
        result->kernel_cpu_us_per_request = kernel_seconds * 1e6 / requests;
        result->libzmq_cpu_us_per_request = libzmq_seconds * 1e6 / requests;
    }

    /* A running role leaves its zmq_poll when its context shuts down, and closes its sockets. */
    if (client != NULL) zmq_close(client);
    for (int role = 0; role < 3; role++) {
        if (roles[role].context == NULL) continue;
        zmq_ctx_shutdown(roles[role].context);
        if (roles[role].running) {
            pthread_join(roles[role].thread, NULL);
        } else {
            if (roles[role].router != NULL) zmq_close(roles[role].router);
            for (int dealer = 0; dealer < 2; dealer++) {
                if (roles[role].dealers[dealer] != NULL) zmq_close(roles[role].dealers[dealer]);
            }
        }
        zmq_ctx_term(roles[role].context);
    }
    if (client_context != NULL) zmq_ctx_term(client_context);
    free(latencies);
    return status;
}

#ifdef ENSEMBLE_PIPELINE_FLOOR_MAIN
int main(int argc, char **argv) {
    int requests = argc > 1 ? atoi(argv[1]) : 3000, early_frame = argc > 2 ? atoi(argv[2]) : 1;
    EnsemblePipelineFloor floor;
    char why[256] = "";
    if (requests < 1) {
        fprintf(stderr, "usage: pipeline-floor [REQUESTS] [EARLY 0|1]\n");
        return 1;
    }
    if (ensemble_pipeline_floor(requests, early_frame, &floor, why, sizeof why) != 0) {
        fprintf(stderr, "pipeline-floor: %s\n", why);
        return 1;
    }
    printf("requests %d  early frame %s  p50 %.0f us  p99 %.0f us  cpu %.0f us per request (kernel %.0f, libzmq's threads %.0f)\n",
           requests, early_frame ? "yes" : "no", floor.p50_us, floor.p99_us, floor.cpu_us_per_request,
           floor.kernel_cpu_us_per_request, floor.libzmq_cpu_us_per_request);
    return 0;
}
#endif
