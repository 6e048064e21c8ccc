// SPDX-License-Identifier: GPL-2.0
/*
 * counter: the tutorial's counter module, done correctly.
 *
 * /proc/counter (0666): writing "I" increments, "D" decrements (one command
 * per write, an optional trailing newline); anything else fails with
 * -EINVAL and changes nothing. Reading returns the value and a newline,
 * honouring the offset, so pread at offset 0 re-reads it.
 *
 * lock= picks the guard: mutex (the tutorial's), spinlock (qspinlock on
 * x86), atomic (atomic64_t), percpu (percpu_counter: cheap updates, reads
 * sum the CPUs), or none: a deliberately racy read-modify-write, the
 * negative control that must lose updates under load, as lockbench's Go
 * "busted" lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu_counter.h>
#include <linux/proc_fs.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("the tutorial's counter: echo I or D > /proc/counter, guarded by lock=");

static char *lock = "mutex";
module_param(lock, charp, 0444);
MODULE_PARM_DESC(lock, "guard: mutex, spinlock, atomic, percpu, or none (racy, the negative control)");

enum guard { GUARD_MUTEX, GUARD_SPINLOCK, GUARD_ATOMIC, GUARD_PERCPU, GUARD_NONE };
static const char *const guard_names[] = { "mutex", "spinlock", "atomic", "percpu", "none" };
static enum guard guard;

static DEFINE_MUTEX(counter_mutex);
static DEFINE_SPINLOCK(counter_spinlock);
static long counter_value; /* guarded by counter_mutex or counter_spinlock; racy under none */
static atomic64_t counter_atomic = ATOMIC64_INIT(0);
static struct percpu_counter counter_percpu;
static struct proc_dir_entry *proc_entry;

static void counter_add(long delta)
{
	long v;

	switch (guard) {
	case GUARD_MUTEX:
		mutex_lock(&counter_mutex);
		counter_value += delta;
		mutex_unlock(&counter_mutex);
		break;
	case GUARD_SPINLOCK:
		spin_lock(&counter_spinlock);
		counter_value += delta;
		spin_unlock(&counter_spinlock);
		break;
	case GUARD_ATOMIC:
		atomic64_add(delta, &counter_atomic);
		break;
	case GUARD_PERCPU:
		percpu_counter_add(&counter_percpu, delta);
		break;
	case GUARD_NONE:
		/* The bug, on purpose: read, wait a little, write back. */
		v = READ_ONCE(counter_value);
		ndelay(200);
		WRITE_ONCE(counter_value, v + delta);
		break;
	}
}

static long counter_get(void)
{
	long v = 0;

	switch (guard) {
	case GUARD_MUTEX:
		mutex_lock(&counter_mutex);
		v = counter_value;
		mutex_unlock(&counter_mutex);
		break;
	case GUARD_SPINLOCK:
		spin_lock(&counter_spinlock);
		v = counter_value;
		spin_unlock(&counter_spinlock);
		break;
	case GUARD_ATOMIC:
		v = atomic64_read(&counter_atomic);
		break;
	case GUARD_PERCPU:
		v = percpu_counter_sum(&counter_percpu);
		break;
	case GUARD_NONE:
		v = READ_ONCE(counter_value);
		break;
	}
	return v;
}

static ssize_t counter_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	char tmp[24];
	int len = scnprintf(tmp, sizeof(tmp), "%ld\n", counter_get());

	return simple_read_from_buffer(buf, count, ppos, tmp, len);
}

static ssize_t counter_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	char cmd[2];

	if (count == 0 || count > sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, buf, count))
		return -EFAULT;
	if (count == 2 && cmd[1] != '\n')
		return -EINVAL;
	switch (cmd[0]) {
	case 'I':
		counter_add(1);
		break;
	case 'D':
		counter_add(-1);
		break;
	default:
		return -EINVAL;
	}
	return count;
}

static const struct proc_ops counter_ops = {
	.proc_read = counter_read,
	.proc_write = counter_write,
	.proc_lseek = default_llseek,
};

static int __init counter_init(void)
{
	int err, i;

	for (i = 0; i < ARRAY_SIZE(guard_names); i++)
		if (!strcmp(lock, guard_names[i]))
			break;
	if (i == ARRAY_SIZE(guard_names)) {
		pr_err("invalid lock=%s (valid: mutex, spinlock, atomic, percpu, none)\n", lock);
		return -EINVAL;
	}
	guard = i;
	if (guard == GUARD_PERCPU) {
		err = percpu_counter_init(&counter_percpu, 0, GFP_KERNEL);
		if (err)
			return err;
	}
	proc_entry = proc_create("counter", 0666, NULL, &counter_ops);
	if (!proc_entry) {
		if (guard == GUARD_PERCPU)
			percpu_counter_destroy(&counter_percpu);
		pr_err("failed to create /proc/counter\n");
		return -ENOMEM;
	}
	pr_info("loaded, lock=%s\n", lock);
	return 0;
}

static void __exit counter_exit(void)
{
	proc_remove(proc_entry); /* waits for reads and writes in flight */
	pr_info("unloaded, lock=%s, final value %ld\n", lock, counter_get());
	if (guard == GUARD_PERCPU)
		percpu_counter_destroy(&counter_percpu);
}

module_init(counter_init);
module_exit(counter_exit);
