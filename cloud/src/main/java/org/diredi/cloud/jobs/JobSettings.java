package org.diredi.cloud.jobs;

import org.diredi.messaging.Topics;

/**
 * Who decides the deltas the intake receives ({@code jobs} in cloud.yaml).
 *
 * @param shared           false: the {@code cloud serve} process itself, one delta at a time; true: the
 *                         {@code cloud serve --worker} processes, through the broker (the intake announces each
 *                         delta on {@link Topics#job}, the workers share {@link Topics#sharedJobs})
 * @param group            the workers' shared-subscription group
 * @param redeliverSeconds a job announced this long ago that no worker holds (its customer's lock is free) and
 *                         that has no decision is announced again, then after twice as long each time: a job
 *                         announced while no worker was subscribed is dropped by the broker, so the intake's
 *                         durable job store, not the broker, is what guarantees every job is decided
 */
public record JobSettings(boolean shared, String group, long redeliverSeconds) {

    public static final JobSettings DEFAULTS = new JobSettings(false, "cloud-workers", 15);

    public JobSettings {
        Topics.id("jobs.group", group);
        if (redeliverSeconds < 1) {
            throw new IllegalArgumentException("jobs.redeliverSeconds must be >= 1, got " + redeliverSeconds);
        }
    }
}
