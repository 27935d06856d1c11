// The encode pipeline's shape on libzmq alone, as a floor for `encode_p50_us_c1`:
// a client DEALER sends a request to the leader's ROUTER; the leader sends one
// frame to each of two members through DEALERs (and, with an early frame, one
// frame straight back to the client); each member answers the leader with one
// frame; the leader sends one frame per member answer to the client. One
// request at a time; every thread blocks in zmq_poll. Four processes, forked
// here before any ZeroMQ context exists; the children are killed by pid.
//   cc -O2 -o pipeline-floor pipeline-floor.c -lzmq && ./pipeline-floor 3000 1
#include <zmq.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t children[3];

// Interrupted: the members and the leader go too.
static void stop_children(int signal_number) {
    for (int role = 0; role < 3; role++) if (children[role] > 0) kill(children[role], SIGKILL);
    _exit(128 + signal_number);
}

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

// A port the kernel had free a moment ago (the same small race as any free-port helper).
static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
        perror("pipeline-floor: free port");
        exit(1);
    }
    close(fd);
    return ntohs(address.sin_port);
}

static void *socket_at(void *context, int type, int port, int bind_it) {
    char endpoint[64];
    int linger = 0;
    void *socket = zmq_socket(context, type);
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    if ((bind_it ? zmq_bind(socket, endpoint) : zmq_connect(socket, endpoint)) != 0) {
        fprintf(stderr, "pipeline-floor: %s %s: %s\n", bind_it ? "bind" : "connect", endpoint, zmq_strerror(zmq_errno()));
        exit(1);
    }
    return socket;
}

static void wait_readable(void *socket) {
    zmq_pollitem_t item = {socket, 0, ZMQ_POLLIN, 0};
    zmq_poll(&item, 1, -1);
}

static void member(int own, int leader) {
    void *context = zmq_ctx_new();
    void *router = socket_at(context, ZMQ_ROUTER, own, 1), *dealer = socket_at(context, ZMQ_DEALER, leader, 0);
    char identity[256], body[512];
    for (;;) {
        wait_readable(router);
        while (zmq_recv(router, identity, sizeof identity, ZMQ_DONTWAIT) >= 0) {
            zmq_recv(router, body, sizeof body, 0);
            body[0] = 'A';  // an answer, not a request
            zmq_send(dealer, body, 200, ZMQ_DONTWAIT);
        }
    }
}

static void leader(int own, int a, int b, int early) {
    void *context = zmq_ctx_new();
    void *router = socket_at(context, ZMQ_ROUTER, own, 1);
    void *to_a = socket_at(context, ZMQ_DEALER, a, 0), *to_b = socket_at(context, ZMQ_DEALER, b, 0);
    char identity[256], client[256], body[512];
    int client_length = 0;
    memset(body, 'x', sizeof body);
    for (;;) {
        wait_readable(router);
        int length;
        while ((length = zmq_recv(router, identity, sizeof identity, ZMQ_DONTWAIT)) >= 0) {
            zmq_recv(router, body, sizeof body, 0);
            if (body[0] == 'Q') {  // a request: fan out, and maybe answer at once
                memcpy(client, identity, length);
                client_length = length;
                zmq_send(to_a, body, 150, ZMQ_DONTWAIT);
                zmq_send(to_b, body, 200, ZMQ_DONTWAIT);
                if (!early) continue;
            }
            zmq_send(router, client, client_length, ZMQ_SNDMORE);
            body[0] = 'R';
            zmq_send(router, body, 150, ZMQ_DONTWAIT);
        }
    }
}

int main(int argc, char **argv) {
    int total = argc > 1 ? atoi(argv[1]) : 3000, early = argc > 2 ? atoi(argv[2]) : 1, warmup = 200;
    if (total < 1) {
        fprintf(stderr, "usage: pipeline-floor [REQUESTS] [EARLY 0|1]\n");
        return 1;
    }
    int ports[3] = {free_port(), free_port(), free_port()};
    signal(SIGINT, stop_children);
    signal(SIGTERM, stop_children);
    for (int role = 0; role < 3; role++) {
        children[role] = fork();
        if (children[role] == 0) {
            signal(SIGINT, SIG_DFL);
            signal(SIGTERM, SIG_DFL);
            if (role == 0) leader(ports[0], ports[1], ports[2], early);
            member(ports[role], ports[0]);
        }
    }
    void *context = zmq_ctx_new();
    void *dealer = socket_at(context, ZMQ_DEALER, ports[0], 0);
    int timeout = 5000;
    zmq_setsockopt(dealer, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    double *latencies = malloc(sizeof(double) * total);
    char body[512];
    int failed = 0;
    memset(body, 'x', sizeof body);
    for (int i = 0; i < total + warmup && !failed; i++) {
        double start = now_us();
        body[0] = 'Q';
        zmq_send(dealer, body, 100, 0);
        for (int frames = 0; frames < (early ? 3 : 2); frames++) {
            if (zmq_recv(dealer, body, sizeof body, 0) < 0) { failed = 1; break; }
        }
        if (i >= warmup) latencies[i - warmup] = now_us() - start;
    }
    for (int role = 0; role < 3; role++) kill(children[role], SIGKILL);
    for (int role = 0; role < 3; role++) waitpid(children[role], NULL, 0);
    if (failed) {
        fprintf(stderr, "pipeline-floor: no answer within 5 s\n");
        return 1;
    }
    qsort(latencies, total, sizeof(double), compare);
    printf("requests %d  early frame %s  p50 %.0f us  p99 %.0f us\n", total, early ? "yes" : "no",
           latencies[total / 2], latencies[total * 99 / 100]);
    return 0;
}
