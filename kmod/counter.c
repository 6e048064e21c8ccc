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
 * sum the CPUs), the read side's rwlock (qrwlock on x86: read_lock for a
 * read), rwsem (down_read) and seqlock (readers take no lock:
 * read_seqbegin and read_seqretry), or none: a deliberately racy
 * read-modify-write, the negative control that must lose updates under
 * load, as lockbench's Go "busted" lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu_counter.h>
#include <linux/proc_fs.h>
#include <linux/rwsem.h>
#include <linux/seq_file.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("the tutorial's counter: echo I or D > /proc/counter, guarded by lock=");

static char *lock = "mutex";
module_param(lock, charp, 0444);
MODULE_PARM_DESC(lock, "guard: mutex, spinlock, atomic, percpu, rwlock, rwsem, seqlock, or none (racy, the negative control)");

enum guard {
	GUARD_MUTEX, GUARD_SPINLOCK, GUARD_ATOMIC, GUARD_PERCPU,
	GUARD_RWLOCK, GUARD_RWSEM, GUARD_SEQLOCK, GUARD_NONE,
};
static const char *const guard_names[] = {
	"mutex", "spinlock", "atomic", "percpu", "rwlock", "rwsem", "seqlock", "none",
};
static enum guard guard;

static DEFINE_MUTEX(counter_mutex);
static DEFINE_SPINLOCK(counter_spinlock);
static DEFINE_RWLOCK(counter_rwlock);
static DECLARE_RWSEM(counter_rwsem);
static DEFINE_SEQLOCK(counter_seqlock);
/* guarded by the lock lock= names; racy under none */
static long counter_value;
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
	case GUARD_RWLOCK:
		write_lock(&counter_rwlock);
		counter_value += delta;
		write_unlock(&counter_rwlock);
		break;
	case GUARD_RWSEM:
		down_write(&counter_rwsem);
		counter_value += delta;
		up_write(&counter_rwsem);
		break;
	case GUARD_SEQLOCK:
		write_seqlock(&counter_seqlock);
		WRITE_ONCE(counter_value, counter_value + delta);
		write_sequnlock(&counter_seqlock);
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
	unsigned int seq;
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
	case GUARD_RWLOCK:
		read_lock(&counter_rwlock);
		v = counter_value;
		read_unlock(&counter_rwlock);
		break;
	case GUARD_RWSEM:
		down_read(&counter_rwsem);
		v = counter_value;
		up_read(&counter_rwsem);
		break;
	case GUARD_SEQLOCK:
		do {
			seq = read_seqbegin(&counter_seqlock);
			v = READ_ONCE(counter_value);
		} while (read_seqretry(&counter_seqlock, seq));
		break;
	case GUARD_NONE:
		v = READ_ONCE(counter_value);
		break;
	}
	return v;
}

/*
 * Reads go through seq_file's single_open: the value is rendered once, at a
 * read from offset 0, and the reads that follow in sequence are served from
 * that snapshot (a pread elsewhere renders again). A
 * reader that reads in pieces (cat, or a pread that ends short) then gets
 * one consistent value, where rendering afresh at every offset could splice
 * two ("9981\n" and the tail of "10000\n": "9981\n\n"). A read at offset 0
 * renders again, so pread at 0 re-reads.
 */
static int counter_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%ld\n", counter_get());
	return 0;
}

static int counter_open(struct inode *inode, struct file *file)
{
	int err = single_open(file, counter_show, NULL);

	/*
	 * seq_open clears FMODE_PWRITE: a seq_file's own writes follow its
	 * read position. Ours do not (a write is one command, wherever it
	 * lands), so pwrite stays allowed, as it was before reads used
	 * seq_file.
	 */
	if (!err)
		file->f_mode |= FMODE_PWRITE;
	return err;
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
	.proc_open = counter_open,
	.proc_read = seq_read,
	.proc_write = counter_write,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static int __init counter_init(void)
{
	int err, i;

	for (i = 0; i < ARRAY_SIZE(guard_names); i++)
		if (!strcmp(lock, guard_names[i]))
			break;
	if (i == ARRAY_SIZE(guard_names)) {
		pr_err("invalid lock=%s (valid: mutex, spinlock, atomic, percpu, rwlock, rwsem, seqlock, none)\n", lock);
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
