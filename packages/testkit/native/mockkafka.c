/*
 * A Kafka-protocol broker for tests: librdkafka's built-in mock cluster (rdkafka_mock.h, in memory only).
 * usage: mockkafka <brokers> [topic:partitions ...]
 * Prints the bootstrap servers (host:port,...) on one line, then serves until SIGINT or SIGTERM. Commands on
 * stdin, one per line, each answered with "ok" or "error ..." on stdout: "down <broker id>" (drops its connections
 * and refuses new ones), "up <broker id>".
 * Built by packages/testkit/src/mock-kafka.ts with: gcc -O2 -o mockkafka mockkafka.c -lrdkafka
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t running = 1;

static void stop(int signal_number) {
  (void)signal_number;
  running = 0;
}

int main(int argc, char **argv) {
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  char error[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The mock's own client logs nothing unless something is wrong. */
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", error);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == NULL) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  for (int i = 2; i < argc; i++) {
    char *topic = strdup(argv[i]);
    char *colon = strchr(topic, ':');
    int partitions = 1;
    if (colon != NULL) {
      *colon = '\0';
      partitions = atoi(colon + 1);
    }
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, topic, partitions, brokers < 3 ? brokers : 3);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "creating topic %s: %s\n", topic, rd_kafka_err2str(err));
      return 1;
    }
    free(topic);
  }
  printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  fflush(stdout);
  /* Without SA_RESTART, so that a signal ends a read of stdin that waits for a command. */
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = stop;
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  char line[512];
  while (running && fgets(line, sizeof line, stdin) != NULL) {
    int id;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (sscanf(line, "down %d", &id) == 1)
      err = rd_kafka_mock_broker_set_down(cluster, id);
    else if (sscanf(line, "up %d", &id) == 1)
      err = rd_kafka_mock_broker_set_up(cluster, id);
    else {
      printf("error unknown command\n");
      fflush(stdout);
      continue;
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
      printf("ok\n");
    else
      printf("error %s\n", rd_kafka_err2str(err));
    fflush(stdout);
  }
  /* stdin closed (or never given): serve until a signal. */
  while (running) pause();
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
