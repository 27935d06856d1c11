/* zmq_floor_msgs_per_s: 100-byte DEALER -> ROUTER over TCP loopback on libzmq
   alone, as perf/local_thr.cpp and perf/remote_thr.cpp in libzmq measure
   (there PUSH -> PULL, two processes): the sender makes each message with
   zmq_msg_init_size and sends it blocking; the receiver blocks in zmq_msg_recv
   with one zmq_msg_t for every frame, so nothing is allocated per message on
   its side; the clock starts at the first message. Sender and receiver are two
   threads of the calling process with a ZeroMQ context each (an I/O thread
   each, as two processes would have), default high-water marks. The rate
   counts the messages after the first, which the clock spans (local_thr
   counts the first too: 1 in 2,000,000). */
#include "CZMQFloor.h"
#include "floor_support.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <zmq.h>

enum { FLOOR_TIMEOUT_MS = 10000 };

struct floor_sender {
    char endpoint[256];
    int messages;
    int size;
    char failure[200];
};

static void *floor_send(void *argument) {
    struct floor_sender *sender = argument;
    int timeout = FLOOR_TIMEOUT_MS;
    void *context = zmq_ctx_new();
    void *dealer = context != NULL ? zmq_socket(context, ZMQ_DEALER) : NULL;
    if (dealer == NULL) {
        floor_fail(0, sender->failure, sizeof sender->failure, "the sender's socket: %s", zmq_strerror(zmq_errno()));
    } else {
        /* What is still queued when the last send returns goes out during close, for 10 s at most. */
        zmq_setsockopt(dealer, ZMQ_LINGER, &timeout, sizeof timeout);
        zmq_setsockopt(dealer, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
        if (zmq_connect(dealer, sender->endpoint) != 0) {
            floor_fail(0, sender->failure, sizeof sender->failure, "connect %s: %s", sender->endpoint, zmq_strerror(zmq_errno()));
        }
        for (int sent = 0; sent < sender->messages && sender->failure[0] == 0; sent++) {
            zmq_msg_t message;
            zmq_msg_init_size(&message, (size_t)sender->size);
            memset(zmq_msg_data(&message), 'a', (size_t)sender->size);
            if (zmq_msg_send(&message, dealer, 0) < 0) {
                floor_fail(0, sender->failure, sizeof sender->failure, "send: %s", zmq_strerror(zmq_errno()));
            }
            zmq_msg_close(&message);
        }
        zmq_close(dealer);
    }
    if (context != NULL) zmq_ctx_term(context);
    return NULL;
}

double ensemble_zmq_floor_msgs_per_s(int messages, int size, int port, char *why, size_t why_size) {
    if (messages < 2 || size < 1 || port < 0 || port > 65535) {
        return floor_fail(0, why, why_size, "the ZeroMQ floor needs 2 messages or more of 1 byte or more, and a port");
    }
    struct floor_sender sender = {.messages = messages, .size = size};
    int timeout = FLOOR_TIMEOUT_MS, linger = 0;
    char endpoint[64];
    size_t endpoint_size = sizeof sender.endpoint;
    void *context = zmq_ctx_new();
    void *router = context != NULL ? zmq_socket(context, ZMQ_ROUTER) : NULL;
    if (router == NULL) {
        if (context != NULL) zmq_ctx_term(context);
        return floor_fail(0, why, why_size, "the receiver's socket: %s", zmq_strerror(zmq_errno()));
    }
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    if (port > 0) {
        snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    } else {
        snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:*");
    }
    if (zmq_bind(router, endpoint) != 0 ||
        zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, sender.endpoint, &endpoint_size) != 0) {
        floor_fail(0, why, why_size, "bind %s: %s", endpoint, zmq_strerror(zmq_errno()));
        zmq_close(router);
        zmq_ctx_term(context);
        return 0;
    }
    pthread_t thread;
    int error = pthread_create(&thread, NULL, floor_send, &sender);
    if (error != 0) {
        floor_fail(0, why, why_size, "the sender's thread: %s", strerror(error));
        zmq_close(router);
        zmq_ctx_term(context);
        return 0;
    }

    zmq_msg_t frame;
    zmq_msg_init(&frame);
    double start = 0, elapsed = 0;
    int received = 0, failed = 0;
    while (received < messages) {
        /* A routing id, then the message. */
        if (zmq_msg_recv(&frame, router, 0) < 0 || !zmq_msg_more(&frame) || zmq_msg_recv(&frame, router, 0) < 0) {
            failed = floor_fail(1, why, why_size, "the ZeroMQ floor's receiver after %d of %d messages: %s", received, messages,
                                zmq_errno() == EAGAIN ? "nothing for 10 s" : zmq_strerror(zmq_errno()));
            break;
        }
        if (zmq_msg_size(&frame) != (size_t)size || zmq_msg_more(&frame)) {
            failed = floor_fail(1, why, why_size, "the ZeroMQ floor received a message of %zu bytes, not %d", zmq_msg_size(&frame), size);
            break;
        }
        if (received == 0) start = floor_seconds(CLOCK_MONOTONIC);
        received++;
    }
    elapsed = floor_seconds(CLOCK_MONOTONIC) - start;
    zmq_msg_close(&frame);
    zmq_close(router);
    pthread_join(thread, NULL);
    zmq_ctx_term(context);
    if (failed) return 0;
    if (sender.failure[0] != 0) return floor_fail(0, why, why_size, "the ZeroMQ floor's sender: %s", sender.failure);
    return elapsed > 0 ? (double)(messages - 1) / elapsed : floor_fail(0, why, why_size, "the ZeroMQ floor's clock did not move");
}
