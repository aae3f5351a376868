// Drives the broker with Debian's kafka-go 0.2.1 (CreateTopics v0, Produce v2 with magic-1 message
// sets, Fetch v2, Metadata v1, JoinGroup v1, SyncGroup v0, Heartbeat v0, OffsetCommit v2, OffsetFetch v1,
// LeaveGroup v0). Built by compat/test_go_clients.py in GOPATH mode; never committed as a binary.
//
//	kafkago create  BOOTSTRAP TOPIC PARTITIONS
//	kafkago produce BOOTSTRAP TOPIC COUNT PREFIX
//	kafkago consume BOOTSTRAP TOPIC GROUP EXPECT IDLE_MS  reads in the group until EXPECT messages came
//	                                                       (then for IDLE_MS more), committing each one
//	                                                       synchronously; prints "partition offset value"
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	kafka "github.com/segmentio/kafka-go"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 5 {
		fail("usage: kafkago create|produce|consume BOOTSTRAP TOPIC ...")
	}
	bootstrap, topic := os.Args[2], os.Args[3]
	// kafka-go's default dialer, with a fixed client id (its default names the program and host).
	dialer := &kafka.Dialer{ClientID: "kafka-go", Timeout: 10 * time.Second, DualStack: true}
	switch os.Args[1] {
	case "create":
		partitions, _ := strconv.Atoi(os.Args[4])
		conn, err := dialer.Dial("tcp", bootstrap)
		if err != nil {
			fail("dial: %v", err)
		}
		defer conn.Close()
		err = conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1})
		if err != nil {
			fail("create topic: %v", err)
		}
	case "produce":
		count, _ := strconv.Atoi(os.Args[4])
		writer := kafka.NewWriter(kafka.WriterConfig{Brokers: []string{bootstrap}, Topic: topic, Dialer: dialer})
		var messages []kafka.Message
		for i := 0; i < count; i++ {
			messages = append(messages, kafka.Message{Key: []byte(fmt.Sprintf("k%d", i)), Value: []byte(fmt.Sprintf("%s-%d", os.Args[5], i))})
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := writer.WriteMessages(ctx, messages...); err != nil {
			fail("write: %v", err)
		}
		if err := writer.Close(); err != nil {
			fail("close: %v", err)
		}
	case "consume":
		expect, _ := strconv.Atoi(os.Args[5])
		idle, _ := strconv.Atoi(os.Args[6])
		reader := kafka.NewReader(kafka.ReaderConfig{
			Brokers: []string{bootstrap}, Topic: topic, GroupID: os.Args[4], Dialer: dialer, MinBytes: 1, MaxBytes: 1 << 20,
			MaxWait: 200 * time.Millisecond, SessionTimeout: 6 * time.Second,
			// kafka-go 0.2.1's Close does not send LeaveGroup once the reader stopped, so the next member's
			// JoinGroup waits for this one to miss the rebalance; keep that wait short (default 30 s).
			RebalanceTimeout: 3 * time.Second,
		})
		// Up to `expect` messages within a minute (joining included), then any extra within `idle` ms.
		deadline := time.Now().Add(time.Minute)
		for read := 0; ; read++ {
			wait := time.Until(deadline)
			if read >= expect {
				wait = time.Duration(idle) * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			message, err := reader.ReadMessage(ctx) // commits synchronously (CommitInterval 0)
			cancel()
			if err == context.DeadlineExceeded {
				break
			}
			if err != nil {
				fail("read: %v", err)
			}
			fmt.Printf("%d %d %s\n", message.Partition, message.Offset, message.Value)
		}
		if err := reader.Close(); err != nil {
			fail("reader close: %v", err)
		}
	default:
		fail("unknown mode %s", os.Args[1])
	}
}
