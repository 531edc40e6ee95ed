/* SPDX-License-Identifier: GPL-2.0 */
#ifndef JIFL_SESSION_H
#define JIFL_SESSION_H

#include <linux/fs.h>

long jifl_session_ioctl(struct file *file, unsigned int cmd,
			void __user *uarg);
void jifl_session_release(struct file *file);
void jifl_session_exit(void);

#endif /* JIFL_SESSION_H */
