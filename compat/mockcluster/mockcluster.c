/*
 * mockcluster: a Kafka-protocol cluster written by others (librdkafka's mock cluster) that the
 * cluster tests drive our client against, with no Java and no Docker.
 *
 *   mockcluster [BROKERS]        (default 3)
 *
 * On start it prints one line, "bootstrap HOST:PORT,HOST:PORT,...", then reads commands on stdin, one
 * a line, and answers each with one line, "ok" or "error <why>":
 *
 *   create TOPIC PARTITIONS REPLICATION   create a topic (the mock has no CreateTopics for clients
 *                                         to call in librdkafka 2.0.2)
 *   leader TOPIC PARTITION BROKER         move a partition's leader
 *   down BROKER / up BROKER               take a broker off the network (its connections close and
 *                                         new ones are refused) and bring it back
 *   coordinator GROUP BROKER              move a consumer group's coordinator
 *   errors APIKEY CODE [CODE...]          the next requests of that API, on any broker, fail with
 *                                         these error codes, one each, in order
 *   clear APIKEY                          forget the errors not yet served
 *   quit                                  (or end of input) stop the cluster and exit
 *
 * The mock keeps one replica per partition in practice: leader moves happen instantly with no data
 * copied, and replication and acks=all across replicas are not modelled (see the README's "Scaling out").
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

/* Parses a decimal integer in [lo, hi]; returns 0 on success. */
static int parse_int(const char *text, long lo, long hi, long *out) {
    char *end = NULL;
    if (text == NULL) return -1;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < lo || value > hi) return -1;
    *out = value;
    return 0;
}

static void answer(rd_kafka_resp_err_t err) {
    if (err) reply("error %s", rd_kafka_err2str(err));
    else reply("ok");
}

int main(int argc, char **argv) {
    long brokers = 3;
    if (argc > 1 && parse_int(argv[1], 1, 64, &brokers) != 0) {
        fprintf(stderr, "usage: mockcluster [BROKERS 1-64]\n");
        return 2;
    }
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The handle only hosts the mock cluster; it never connects anywhere itself. */
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "rd_kafka_new: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, (int)brokers);
    if (mcluster == NULL) {
        fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    reply("bootstrap %s", rd_kafka_mock_cluster_bootstraps(mcluster));

    char line[1024];
    while (fgets(line, sizeof(line), stdin) != NULL) {
        char *words[40];
        int count = 0;
        for (char *word = strtok(line, " \t\r\n"); word != NULL && count < 40; word = strtok(NULL, " \t\r\n"))
            words[count++] = word;
        if (count == 0) continue;
        const char *command = words[0];
        long a, b, c;
        if (strcmp(command, "quit") == 0) {
            reply("ok");
            break;
        } else if (strcmp(command, "create") == 0 && count == 4 && parse_int(words[2], 1, 10000, &a) == 0 &&
                   parse_int(words[3], 1, brokers, &b) == 0) {
            answer(rd_kafka_mock_topic_create(mcluster, words[1], (int)a, (int)b));
        } else if (strcmp(command, "leader") == 0 && count == 4 && parse_int(words[2], 0, 10000, &a) == 0 &&
                   parse_int(words[3], -1, 1000, &b) == 0) {
            answer(rd_kafka_mock_partition_set_leader(mcluster, words[1], (int32_t)a, (int32_t)b));
        } else if (strcmp(command, "down") == 0 && count == 2 && parse_int(words[1], 0, 1000, &a) == 0) {
            answer(rd_kafka_mock_broker_set_down(mcluster, (int32_t)a));
        } else if (strcmp(command, "up") == 0 && count == 2 && parse_int(words[1], 0, 1000, &a) == 0) {
            answer(rd_kafka_mock_broker_set_up(mcluster, (int32_t)a));
        } else if (strcmp(command, "coordinator") == 0 && count == 3 && parse_int(words[2], 0, 1000, &a) == 0) {
            answer(rd_kafka_mock_coordinator_set(mcluster, "group", words[1], (int32_t)a));
        } else if (strcmp(command, "errors") == 0 && count >= 3 && count <= 34 &&
                   parse_int(words[1], 0, 32767, &a) == 0) {
            rd_kafka_resp_err_t codes[32];
            int ok = 1;
            for (int i = 2; i < count; i++) {
                if (parse_int(words[i], -1, 32767, &c) != 0) { ok = 0; break; }
                codes[i - 2] = (rd_kafka_resp_err_t)c;
            }
            if (!ok) { reply("error bad error code"); continue; }
            rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)a, (size_t)(count - 2), codes);
            reply("ok");
        } else if (strcmp(command, "clear") == 0 && count == 2 && parse_int(words[1], 0, 32767, &a) == 0) {
            rd_kafka_mock_clear_request_errors(mcluster, (int16_t)a);
            reply("ok");
        } else {
            reply("error unknown or malformed command: %s", command);
        }
    }
    rd_kafka_mock_cluster_destroy(mcluster);
    rd_kafka_destroy(rk);
    return 0;
}
