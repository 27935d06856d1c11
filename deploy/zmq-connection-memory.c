/*
 * What one connection costs a libzmq server in resident memory, idle and after
 * it carried traffic: the leader's per-member cost (docs/decisions.md, "Scale").
 * A server socket (one malloc arena, as ensemble-node) accepts PEERS connections
 * from a child process, then MESSAGES messages of 60 bytes go over each:
 *   in    ROUTER, each peer's DEALER sends (a member's heartbeats to the leader)
 *   out   PUB, to each peer's SUB (the leader's update channel)
 *   both  ROUTER, each peer sends and the server answers over the same connection
 * It prints the server's RSS growth per connection once connected and after the
 * messages.
 *   cc -O2 deploy/zmq-connection-memory.c -o /tmp/zcm -lzmq && /tmp/zcm in 100 600
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

enum { MESSAGE_BYTES = 60, MOST_PEERS = 1000 };

static long resident_kb(void) {
    long size = 0, resident = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm || fscanf(statm, "%ld %ld", &size, &resident) != 2) { perror("statm"); exit(1); }
    fclose(statm);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void check(int result, const char *what) {
    if (result < 0) { fprintf(stderr, "%s: %s\n", what, zmq_strerror(zmq_errno())); exit(1); }
}

/* The child: PEERS client sockets, each sending (in, both) or receiving (out, both). */
static void run_peers(const char *endpoint, const char *mode, int peers, int messages) {
    void *context = zmq_ctx_new();
    void *sockets[MOST_PEERS];
    char message[MESSAGE_BYTES], buffer[256];
    memset(message, 'x', sizeof message);
    int out = strcmp(mode, "out") == 0, both = strcmp(mode, "both") == 0;
    for (int i = 0; i < peers; i++) {
        sockets[i] = zmq_socket(context, out ? ZMQ_SUB : ZMQ_DEALER);
        if (out) check(zmq_setsockopt(sockets[i], ZMQ_SUBSCRIBE, "", 0), "subscribe");
        check(zmq_connect(sockets[i], endpoint), "connect");
    }
    sleep(3); /* the server measures the connections before any message */
    for (int round = 0; round < messages; round++) {
        for (int i = 0; i < peers; i++) {
            if (!out) check(zmq_send(sockets[i], message, sizeof message, 0), "send");
            if (out || both) check(zmq_recv(sockets[i], buffer, sizeof buffer, 0), "receive");
        }
        if (!out && !both) usleep(1000); /* paced, as heartbeats are */
    }
    pause(); /* keep the connections until the server has measured */
}

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "in") && strcmp(argv[1], "out") && strcmp(argv[1], "both"))) {
        fprintf(stderr, "usage: %s in|out|both PEERS MESSAGES\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    int peers = atoi(argv[2]), messages = atoi(argv[3]);
    if (peers < 1 || peers > MOST_PEERS || messages < 1) { fprintf(stderr, "PEERS 1-%d, MESSAGES >= 1\n", MOST_PEERS); return 2; }
    int out = strcmp(mode, "out") == 0, both = strcmp(mode, "both") == 0;
    mallopt(M_ARENA_MAX, 1);
    void *context = zmq_ctx_new();
    void *server = zmq_socket(context, out ? ZMQ_PUB : ZMQ_ROUTER);
    check(zmq_bind(server, "tcp://127.0.0.1:*"), "bind");
    char endpoint[256];
    size_t length = sizeof endpoint;
    check(zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &length), "endpoint");
    long before = resident_kb();
    pid_t child = fork();
    if (child == 0) run_peers(endpoint, mode, peers, messages);
    sleep(2); /* every peer connected (and subscribed) */
    long connected = resident_kb();
    char message[MESSAGE_BYTES], identity[256], buffer[256];
    memset(message, 'x', sizeof message);
    for (int round = 0; round < messages; round++) {
        if (out) {
            check(zmq_send(server, message, sizeof message, 0), "publish");
            usleep(2000);
            continue;
        }
        for (int i = 0; i < peers; i++) {
            int identity_length = zmq_recv(server, identity, sizeof identity, 0);
            check(identity_length, "receive");
            check(zmq_recv(server, buffer, sizeof buffer, 0), "receive");
            if (both) {
                check(zmq_send(server, identity, identity_length, ZMQ_SNDMORE), "answer");
                check(zmq_send(server, message, sizeof message, 0), "answer");
            }
        }
    }
    sleep(1); /* the last messages out of the server's queues */
    long after = resident_kb();
    printf("%s, %d peers, %d messages each: %.1f kB a connection connected, %.1f kB after the messages\n",
           mode, peers, messages, (connected - before) / (double)peers, (after - before) / (double)peers);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return 0;
}
