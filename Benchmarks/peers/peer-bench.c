// peer-bench: one driver, three native clients, one method. Produces N records of S bytes to our
// broker (librdkafka), Redis Streams (hiredis, XADD) or NATS JetStream (the NATS C client,
// js_PublishAsync), as fast as allowed or at a fixed offered rate, and reports throughput and
// send-to-acknowledgement latency percentiles as one JSON line; or reads them back (catch-up).
//
//   peer-bench --system kafka|redis|nats --mode produce|consume --address HOST:PORT --name TOPIC_OR_STREAM
//              [--records N] [--size BYTES] [--rate RECORDS_PER_S] [--window N] [--partitions P]
//              [--acks 1|all] [--linger-ms MS] [--max-seconds S]
//
// Latency is per record, from the moment the client library is handed the record to the moment
// its acknowledgement is seen: librdkafka's own per-message latency (produce() to delivery
// report), the reply to that XADD read off the socket for Redis, the pub-ack callback for NATS.
// Build: cc -O2 -o peer-bench peer-bench.c -lrdkafka -lhiredis -lnats -lpthread -lm
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <librdkafka/rdkafka.h>
#include <nats/nats.h>

static const char *opt_system = "kafka", *opt_mode = "produce", *opt_address = "127.0.0.1:9092", *opt_name = "peer-bench";
static const char *opt_acks = "1";
static long opt_records = 100000, opt_size = 100, opt_window = 100000, opt_partitions = 1, opt_linger_ms = 5, opt_max_seconds = 120;
static double opt_rate = 0;

static int64_t *latencies;          // nanoseconds, one per record
static int64_t *sent_at;            // nanoseconds, one per record (redis, nats)
static atomic_long acknowledged, failures;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sleep_until(int64_t due) {
    struct timespec t = {.tv_sec = due / 1000000000, .tv_nsec = due % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) {}
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "peer-bench: %s: %s\n", what, detail ? detail : "");
    exit(2);
}

static int compare_int64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double percentile_us(int64_t *sorted, long count, double q) {
    if (count == 0) return 0;
    long index = (long)((double)count * q + 0.999999) - 1;
    if (index < 0) index = 0;
    if (index >= count) index = count - 1;
    return (double)sorted[index] / 1000.0;
}

static void report(long records, int64_t elapsed_ns, int with_latency) {
    double seconds = (double)elapsed_ns / 1e9;
    long count = 0;
    if (with_latency) {
        for (long i = 0; i < records; i++) if (latencies[i] >= 0) latencies[count++] = latencies[i];
        qsort(latencies, (size_t)count, sizeof(int64_t), compare_int64);
    }
    printf("{\"system\":\"%s\",\"mode\":\"%s\",\"records\":%ld,\"size\":%ld,\"rate\":%.0f,\"acks\":\"%s\",\"partitions\":%ld,"
           "\"seconds\":%.4f,\"recordsPerSecond\":%.1f,\"mbPerSecond\":%.2f,\"failures\":%ld,"
           "\"latencyUs\":{\"samples\":%ld,\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}}\n",
           opt_system, opt_mode, records, opt_size, opt_rate, opt_acks, opt_partitions, seconds,
           (double)records / seconds, (double)records * (double)opt_size / seconds / 1048576.0, atomic_load(&failures), count,
           percentile_us(latencies, count, 0.5), percentile_us(latencies, count, 0.99), percentile_us(latencies, count, 0.999),
           count ? (double)latencies[count - 1] / 1000.0 : 0.0);
    fflush(stdout);
}

static void split_address(char *host, size_t capacity, int *port) {
    const char *colon = strrchr(opt_address, ':');
    if (!colon || (size_t)(colon - opt_address) >= capacity) die("bad --address", opt_address);
    memcpy(host, opt_address, (size_t)(colon - opt_address));
    host[colon - opt_address] = 0;
    *port = atoi(colon + 1);
}

// Every record carries its index in its first 8 bytes (NATS hands the payload back with the ack).
static char *make_payload(void) {
    char *payload = malloc((size_t)opt_size);
    for (long i = 0; i < opt_size; i++) payload[i] = (char)('A' + i % 26);
    return payload;
}

// MARK: Kafka (librdkafka)

static void kafka_delivered(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk; (void)opaque;
    long index = (long)(intptr_t)message->_private;
    if (message->err) { atomic_fetch_add(&failures, 1); latencies[index] = -1; }
    else latencies[index] = rd_kafka_message_latency(message) * 1000;  // µs → ns
    atomic_fetch_add(&acknowledged, 1);
}

static void kafka_produce(void) {
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char linger[32], window[32];
    snprintf(linger, sizeof linger, "%ld", opt_linger_ms);
    snprintf(window, sizeof window, "%ld", opt_window);
    const char *settings[][2] = {
        {"bootstrap.servers", opt_address}, {"acks", opt_acks}, {"linger.ms", linger},
        {"enable.idempotence", "false"}, {"batch.num.messages", "10000"}, {"batch.size", "1000000"},
        {"queue.buffering.max.messages", window}, {"queue.buffering.max.kbytes", "2097151"},
        {"message.max.bytes", "10000000"},
    };
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], error, sizeof error) != RD_KAFKA_CONF_OK) die(settings[i][0], error);
    rd_kafka_conf_set_dr_msg_cb(conf, kafka_delivered);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!rk) die("rd_kafka_new", error);
    rd_kafka_topic_t *topic = rd_kafka_topic_new(rk, opt_name, NULL);
    // Connected, with the topic's metadata, before the clock starts: records produced earlier would
    // count the bootstrap in their latency.
    const struct rd_kafka_metadata *metadata = NULL;
    if (rd_kafka_metadata(rk, 0, topic, &metadata, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) die("metadata", opt_name);
    rd_kafka_metadata_destroy(metadata);
    char *payload = make_payload();
    int64_t start = now_ns(), deadline = start + opt_max_seconds * 1000000000LL;
    long sent = 0;
    for (; sent < opt_records; sent++) {
        if (opt_rate > 0) {
            int64_t due = start + (int64_t)((double)sent * 1e9 / opt_rate);
            if (due > now_ns()) { rd_kafka_poll(rk, 0); sleep_until(due); }
        }
        if (now_ns() > deadline) break;
        memcpy(payload, &sent, sizeof sent);
        while (rd_kafka_produce(topic, (int32_t)(sent % opt_partitions), RD_KAFKA_MSG_F_COPY, payload, (size_t)opt_size,
                                NULL, 0, (void *)(intptr_t)sent) != 0) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce", rd_kafka_err2str(rd_kafka_last_error()));
            rd_kafka_poll(rk, 5);
        }
        if ((sent & 1023) == 0) rd_kafka_poll(rk, 0);
    }
    while (atomic_load(&acknowledged) < sent && now_ns() < deadline + 30000000000LL) rd_kafka_poll(rk, 5);
    int64_t elapsed = now_ns() - start;
    report(sent, elapsed, 1);
    rd_kafka_topic_destroy(topic);
    rd_kafka_destroy(rk);
}

// MARK: Redis Streams (hiredis)

static redisContext *redis_connect(void) {
    char host[256];
    int port;
    split_address(host, sizeof host, &port);
    redisContext *c = redisConnect(host, port);
    if (!c || c->err) die("redis connect", c ? c->errstr : "no context");
    return c;
}

// Reads every reply available now (or waits up to `wait_ns` for the first); timestamps each one.
static long redis_read_replies(redisContext *c, long next_reply, int64_t wait_ns) {
    for (;;) {
        void *reply = NULL;
        if (redisGetReplyFromReader(c, &reply) != REDIS_OK) die("redis reply", c->errstr);
        if (reply) {
            int64_t t = now_ns();
            if (((redisReply *)reply)->type == REDIS_REPLY_ERROR) { atomic_fetch_add(&failures, 1); latencies[next_reply] = -1; }
            else latencies[next_reply] = t - sent_at[next_reply];
            freeReplyObject(reply);
            next_reply++;
            wait_ns = 0;
            continue;
        }
        struct pollfd fd = {.fd = c->fd, .events = POLLIN};
        struct timespec timeout = {.tv_sec = wait_ns / 1000000000, .tv_nsec = wait_ns % 1000000000};
        if (ppoll(&fd, 1, &timeout, NULL) <= 0) return next_reply;
        if (redisBufferRead(c) != REDIS_OK) die("redis read", c->errstr);
    }
}

static void redis_flush(redisContext *c) {
    int done = 0;
    while (!done) if (redisBufferWrite(c, &done) != REDIS_OK) die("redis write", c->errstr);
}

static void redis_produce(void) {
    redisContext *c = redis_connect();
    char *payload = make_payload();
    const char *argv[] = {"XADD", opt_name, "*", "v", payload};
    size_t lengths[] = {4, strlen(opt_name), 1, 1, (size_t)opt_size};
    int64_t start = now_ns(), deadline = start + opt_max_seconds * 1000000000LL;
    long sent = 0, replied = 0;
    while (sent < opt_records && now_ns() < deadline) {
        if (opt_rate > 0) {
            int64_t due = start + (int64_t)((double)sent * 1e9 / opt_rate), wait = due - now_ns();
            if (wait > 0) { replied = redis_read_replies(c, replied, wait); continue; }
        } else if (sent - replied >= opt_window) {
            replied = redis_read_replies(c, replied, 1000000000);
            continue;
        }
        // Pipelined: append a run of commands, write them, then take whatever replies are there.
        long run = opt_rate > 0 ? 1 : (opt_window - (sent - replied) < 256 ? opt_window - (sent - replied) : 256);
        for (long i = 0; i < run && sent < opt_records; i++, sent++) {
            memcpy(payload, &sent, sizeof sent);
            sent_at[sent] = now_ns();
            redisAppendCommandArgv(c, 5, argv, lengths);
        }
        redis_flush(c);
        replied = redis_read_replies(c, replied, 0);
    }
    while (replied < sent && now_ns() < deadline + 30000000000LL) replied = redis_read_replies(c, replied, 1000000000);
    report(sent, now_ns() - start, 1);
    redisFree(c);
}

static void redis_consume(void) {
    redisContext *c = redis_connect();
    char last[64] = "0-0";
    long read = 0;
    int64_t start = now_ns(), deadline = start + opt_max_seconds * 1000000000LL;
    while (read < opt_records && now_ns() < deadline) {
        redisReply *reply = redisCommand(c, "XREAD COUNT 10000 STREAMS %s %s", opt_name, last);
        if (!reply) die("XREAD", c->errstr);
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) { freeReplyObject(reply); break; }
        redisReply *entries = reply->element[0]->element[1];
        read += (long)entries->elements;
        if (entries->elements > 0) snprintf(last, sizeof last, "%s", entries->element[entries->elements - 1]->element[0]->str);
        freeReplyObject(reply);
    }
    report(read, now_ns() - start, 0);
    redisFree(c);
}

// MARK: NATS JetStream (the NATS C client)

static void nats_acked(jsCtx *js, natsMsg *msg, jsPubAck *ack, jsPubAckErr *error, void *closure) {
    (void)js; (void)ack; (void)closure;
    int64_t t = now_ns();
    long index = 0;
    memcpy(&index, natsMsg_GetData(msg), sizeof index);
    if (error || index < 0 || index >= opt_records) { atomic_fetch_add(&failures, 1); if (index >= 0 && index < opt_records) latencies[index] = -1; }
    else latencies[index] = t - sent_at[index];
    atomic_fetch_add(&acknowledged, 1);
    natsMsg_Destroy(msg);
}

static void nats_connect(natsConnection **nc, jsCtx **js, int for_publish) {
    char url[300];
    snprintf(url, sizeof url, "nats://%s", opt_address);
    if (natsConnection_ConnectTo(nc, url) != NATS_OK) die("nats connect", nats_GetLastError(NULL));
    jsOptions options;
    jsOptions_Init(&options);
    if (for_publish) {
        options.PublishAsync.MaxPending = opt_window;
        options.PublishAsync.AckHandler = nats_acked;
        options.PublishAsync.StallWait = 10000;
    }
    if (natsConnection_JetStream(js, *nc, &options) != NATS_OK) die("jetstream", nats_GetLastError(NULL));
}

static void nats_produce(void) {
    natsConnection *nc;
    jsCtx *js;
    nats_connect(&nc, &js, 1);
    // The stream, on file storage, created when missing (subject = stream name).
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = opt_name;
    const char *subjects[] = {opt_name};
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    jsErrCode code = 0;
    jsStreamInfo *info = NULL;
    natsStatus status = js_AddStream(&info, js, &config, NULL, &code);
    if (status != NATS_OK && code != JSStreamNameExistErr) die("js_AddStream", nats_GetLastError(NULL));
    if (info) jsStreamInfo_Destroy(info);
    char *payload = make_payload();
    int64_t start = now_ns(), deadline = start + opt_max_seconds * 1000000000LL;
    long sent = 0;
    for (; sent < opt_records && now_ns() < deadline; sent++) {
        if (opt_rate > 0) sleep_until(start + (int64_t)((double)sent * 1e9 / opt_rate));
        memcpy(payload, &sent, sizeof sent);
        sent_at[sent] = now_ns();
        if (js_PublishAsync(js, opt_name, payload, (int)opt_size, NULL) != NATS_OK) {
            atomic_fetch_add(&failures, 1);
            latencies[sent] = -1;
            atomic_fetch_add(&acknowledged, 1);
        }
    }
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = 60000;
    js_PublishAsyncComplete(js, &wait);
    while (atomic_load(&acknowledged) < sent && now_ns() < deadline + 30000000000LL) usleep(1000);
    report(sent, now_ns() - start, 1);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}

static void nats_consume(void) {
    natsConnection *nc;
    jsCtx *js;
    nats_connect(&nc, &js, 0);
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Config.AckPolicy = js_AckNone;
    options.Config.DeliverPolicy = js_DeliverAll;
    natsSubscription *subscription = NULL;
    jsErrCode code = 0;
    if (js_PullSubscribe(&subscription, js, opt_name, NULL, NULL, &options, &code) != NATS_OK) die("js_PullSubscribe", nats_GetLastError(NULL));
    long read = 0;
    int64_t start = now_ns(), deadline = start + opt_max_seconds * 1000000000LL;
    while (read < opt_records && now_ns() < deadline) {
        natsMsgList list = {0};
        natsStatus status = natsSubscription_Fetch(&list, subscription, 1000, 2000, &code);
        if (status == NATS_TIMEOUT) break;
        if (status != NATS_OK) die("fetch", nats_GetLastError(NULL));
        read += list.Count;
        natsMsgList_Destroy(&list);
    }
    report(read, now_ns() - start, 0);
    natsSubscription_Destroy(subscription);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *name = argv[i], *value = argv[i + 1];
        if (!strcmp(name, "--system")) opt_system = value;
        else if (!strcmp(name, "--mode")) opt_mode = value;
        else if (!strcmp(name, "--address")) opt_address = value;
        else if (!strcmp(name, "--name")) opt_name = value;
        else if (!strcmp(name, "--acks")) opt_acks = value;
        else if (!strcmp(name, "--records")) opt_records = atol(value);
        else if (!strcmp(name, "--size")) opt_size = atol(value);
        else if (!strcmp(name, "--rate")) opt_rate = atof(value);
        else if (!strcmp(name, "--window")) opt_window = atol(value);
        else if (!strcmp(name, "--partitions")) opt_partitions = atol(value);
        else if (!strcmp(name, "--linger-ms")) opt_linger_ms = atol(value);
        else if (!strcmp(name, "--max-seconds")) opt_max_seconds = atol(value);
        else die("unknown option", name);
    }
    if (opt_records < 1 || opt_size < 8 || opt_window < 1 || opt_partitions < 1) die("bad arguments", "records, window, partitions >= 1; size >= 8");
    latencies = calloc((size_t)opt_records, sizeof(int64_t));
    sent_at = calloc((size_t)opt_records, sizeof(int64_t));
    if (!latencies || !sent_at) die("out of memory", NULL);
    for (long i = 0; i < opt_records; i++) latencies[i] = -1;
    int produce = !strcmp(opt_mode, "produce");
    if (!strcmp(opt_system, "kafka") && produce) kafka_produce();
    else if (!strcmp(opt_system, "redis")) produce ? redis_produce() : redis_consume();
    else if (!strcmp(opt_system, "nats")) produce ? nats_produce() : nats_consume();
    else die("unsupported --system/--mode", opt_system);
    return 0;
}
