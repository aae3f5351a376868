// Drives the broker with Debian's sarama 1.22.1 in its default configuration (Version 0.8.2: Produce v0
// with magic-0 message sets, Fetch v0, ListOffsets v0, FindCoordinator v0, OffsetFetch v1, OffsetCommit v1).
// Built by compat/test_go_clients.py in GOPATH mode; never committed as a binary.
//
//	sarama produce BOOTSTRAP TOPIC COUNT PREFIX   one message per line of output: "partition offset"
//	sarama consume BOOTSTRAP TOPIC GROUP EXPECT IDLE_MS  reads from the group's committed offsets (the
//	                                               oldest offset when none) until EXPECT messages came
//	                                               (then for IDLE_MS more), marks each message, commits
//	                                               on close; prints "partition offset value" per message
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/Shopify/sarama"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 6 {
		fail("usage: sarama produce|consume BOOTSTRAP TOPIC COUNT|GROUP PREFIX|IDLE_MS")
	}
	bootstrap, topic := os.Args[2], os.Args[3]
	switch os.Args[1] {
	case "produce":
		count, _ := strconv.Atoi(os.Args[4])
		produce(bootstrap, topic, count, os.Args[5])
	case "consume":
		expect, _ := strconv.Atoi(os.Args[5])
		idle, _ := strconv.Atoi(os.Args[6])
		consume(bootstrap, topic, os.Args[4], expect, time.Duration(idle)*time.Millisecond)
	default:
		fail("unknown mode %s", os.Args[1])
	}
}

func produce(bootstrap, topic string, count int, prefix string) {
	// nil: sarama's defaults (NewSyncProducer then only turns on Return.Successes, as it must).
	producer, err := sarama.NewSyncProducer([]string{bootstrap}, nil)
	if err != nil {
		fail("producer: %v", err)
	}
	for i := 0; i < count; i++ {
		partition, offset, err := producer.SendMessage(&sarama.ProducerMessage{
			Topic: topic, Key: sarama.StringEncoder(fmt.Sprintf("k%d", i)), Value: sarama.StringEncoder(fmt.Sprintf("%s-%d", prefix, i)),
		})
		if err != nil {
			fail("send %d: %v", i, err)
		}
		fmt.Printf("%d %d\n", partition, offset)
	}
	if err := producer.Close(); err != nil {
		fail("close: %v", err)
	}
}

func consume(bootstrap, topic, group string, expect int, idle time.Duration) {
	config := sarama.NewConfig()
	// The one change from the defaults: a group without commits starts at the oldest offset
	// (the default, OffsetNewest, would skip what was produced before the consumer started).
	config.Consumer.Offsets.Initial = sarama.OffsetOldest
	client, err := sarama.NewClient([]string{bootstrap}, config)
	if err != nil {
		fail("client: %v", err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		fail("consumer: %v", err)
	}
	offsets, err := sarama.NewOffsetManagerFromClient(group, client)
	if err != nil {
		fail("offset manager: %v", err)
	}
	partitions, err := client.Partitions(topic)
	if err != nil {
		fail("partitions: %v", err)
	}
	messages := make(chan *sarama.ConsumerMessage)
	var consumers []sarama.PartitionConsumer
	var managers []sarama.PartitionOffsetManager
	for _, partition := range partitions {
		manager, err := offsets.ManagePartition(topic, partition)
		if err != nil {
			fail("manage partition %d: %v", partition, err)
		}
		managers = append(managers, manager)
		next, _ := manager.NextOffset()
		pc, err := consumer.ConsumePartition(topic, partition, next)
		if err != nil {
			fail("consume partition %d from %d: %v", partition, next, err)
		}
		consumers = append(consumers, pc)
		go func(pc sarama.PartitionConsumer) {
			for {
				select {
				case message, ok := <-pc.Messages():
					if !ok {
						return
					}
					messages <- message
				case err, ok := <-pc.Errors():
					if ok {
						fail("partition error: %v", err)
					}
				}
			}
		}(pc)
	}
	// Up to `expect` messages within a minute, then any extra within `idle`.
	deadline := time.After(time.Minute)
	for read := 0; ; read++ {
		wait := deadline
		if read >= expect {
			wait = time.After(idle)
		}
		var message *sarama.ConsumerMessage
		select {
		case message = <-messages:
		case <-wait:
		}
		if message == nil {
			break
		}
		fmt.Printf("%d %d %s\n", message.Partition, message.Offset, message.Value)
		managers[indexOf(partitions, message.Partition)].MarkOffset(message.Offset+1, "")
	}
	for _, pc := range consumers {
		pc.AsyncClose()
	}
	for _, manager := range managers {
		manager.Close()
	}
	// Close flushes the marked offsets: the OffsetCommit a restarted member resumes from.
	if err := offsets.Close(); err != nil {
		fail("offset manager close: %v", err)
	}
	consumer.Close()
	client.Close()
}

func indexOf(partitions []int32, partition int32) int {
	for i, p := range partitions {
		if p == partition {
			return i
		}
	}
	return 0
}
